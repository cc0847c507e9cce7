//! `lesson list` and `lesson check FILE`: the trainer's lessons — the ones
//! that come with the app and their own in the data folder's `lessons/` —
//! and whether a lesson file can be used, before class.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use mitid_core::lesson::{self, Problem};
use serde_json::json;

use super::{CliError, Context, EXIT_USAGE, Outcome};

/// Lesson commands.
#[derive(Debug, Subcommand)]
pub enum LessonCommand {
    /// The lessons there are: shipped, then the trainer's own.
    List {
        /// Print JSON: [{"id":…,"title":…,"source":"shipped"|PATH,"problems":[…]}].
        #[arg(long)]
        json: bool,
    },
    /// Check a lesson file: each problem with its line (exit code 2 when
    /// there is one).
    Check {
        /// The file.
        file: PathBuf,
        /// Print JSON: {"ok":bool,"problems":[{"line":N,"reason":…}]}.
        #[arg(long)]
        json: bool,
    },
}

impl LessonCommand {
    /// Whether JSON was asked for.
    pub fn json(&self) -> bool {
        match self {
            Self::List { json } | Self::Check { json, .. } => *json,
        }
    }
}

/// The trainer's own lesson files, by name.
fn own(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("lessons"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn problems_json(problems: &[Problem]) -> serde_json::Value {
    json!(problems.iter().map(|p| json!({"line": p.line, "reason": p.reason})).collect::<Vec<_>>())
}

/// Runs a lesson command.
pub(super) fn run(action: &LessonCommand, context: &Context) -> Result<Outcome, CliError> {
    let language = context.config.language.unwrap_or(mitid_core::config::Language::En).tag();
    match action {
        LessonCommand::List { json } => {
            let mut rows = Vec::new();
            for (id, text) in lesson::SHIPPED {
                let title = lesson::parse(text).map(|l| l.lesson.title.get(language).to_owned()).unwrap_or_default();
                rows.push((id.to_string(), title, "shipped".to_owned(), Vec::new()));
            }
            for path in own(&context.paths.data_dir) {
                let read = lesson::read(&path);
                let (id, title, problems) = match read {
                    Ok(l) => (l.lesson.id.clone(), l.lesson.title.get(language).to_owned(), Vec::new()),
                    Err(problems) => {
                        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                        (stem, String::new(), problems)
                    }
                };
                rows.push((id, title, path.display().to_string(), problems));
            }
            let stdout = if *json {
                json!(
                    rows.iter()
                        .map(|(id, title, source, problems)| json!({
                            "id": id, "title": title, "source": source, "problems": problems_json(problems)
                        }))
                        .collect::<Vec<_>>()
                )
                .to_string()
                    + "\n"
            } else {
                rows.iter()
                    .map(|(id, title, source, problems)| match problems.first() {
                        None => format!("{id:<20} {title}  ({source})\n"),
                        Some(p) => format!("{id:<20} cannot be used: {p}  ({source})\n"),
                    })
                    .collect()
            };
            Ok(Outcome::ok(stdout))
        }
        LessonCommand::Check { file, json } => {
            // A file that is not there is a mistake in the command, not in a lesson.
            std::fs::metadata(file)
                .map_err(|e| CliError::Input(format!("the lesson {} cannot be read: {e}", file.display())))?;
            let problems = lesson::read(file).err().unwrap_or_default();
            let stdout = if *json {
                json!({"ok": problems.is_empty(), "problems": problems_json(&problems)}).to_string() + "\n"
            } else if problems.is_empty() {
                format!("{}: the lesson can be used\n", file.display())
            } else {
                problems.iter().map(|p| format!("{}:{}: {}\n", file.display(), p.line, p.reason)).collect()
            };
            Ok(Outcome { stdout, code: if problems.is_empty() { 0 } else { EXIT_USAGE } })
        }
    }
}
