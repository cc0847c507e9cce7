//! A class: on a training service, the trainees' desks tell where they
//! are, the trainer follows them and sends faults to one desk or to all,
//! and each desk fetches what was sent to it, once. Held in memory: a
//! class lasts as long as the lesson, and a restarted service starts a
//! new one (the desks join again at their next report).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use mitid_core::api::{ClassDesk, ClassOrders, ClassView, DeskReport};
use mitid_core::lesson::{CodeSetup, FaultKind, Lesson};
use mitid_core::store::StoreError;

use crate::error::Failure;
use crate::records::{Actor, Records};

/// The most desks a class takes (a classroom, not a site).
pub const MAX_DESKS: usize = 200;
/// The most faults waiting for one desk; older ones make way.
pub const MAX_WAITING: usize = 32;
/// The longest text a report's fields take.
const MAX_TEXT: usize = 200;

/// What a class knows of one desk.
#[derive(Debug)]
struct Desk {
    name: Option<String>,
    report: DeskReport,
    seen: Instant,
    waiting: Vec<FaultKind>,
}

/// The class a training service serves.
#[derive(Debug, Default)]
pub struct Class {
    /// The lesson it runs (its id), when the service was started with one.
    pub lesson: Option<String>,
    desks: Mutex<BTreeMap<String, Desk>>,
}

impl Class {
    /// A class running `lesson`.
    pub fn new(lesson: Option<String>) -> Self {
        Self { lesson, desks: Mutex::default() }
    }

    fn desks(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Desk>> {
        self.desks.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A desk tells where it is; it gets the faults waiting for it (which
    /// are then gone) and the class's lesson and clock.
    pub fn report(&self, actor: &Actor, report: DeskReport, records: &Records) -> Result<ClassOrders, Failure> {
        check_report(&report)?;
        let id = actor.desk.clone().unwrap_or_else(|| actor.agent.clone());
        let mut desks = self.desks();
        if !desks.contains_key(&id) && desks.len() >= MAX_DESKS {
            return Err(Failure::BadRequest(format!("the class is full: it takes {MAX_DESKS} desks")));
        }
        let desk = desks.entry(id).or_insert_with(|| Desk {
            name: None,
            report: DeskReport::default(),
            seen: Instant::now(),
            waiting: Vec::new(),
        });
        desk.name.clone_from(&actor.name);
        desk.report = report;
        desk.seen = Instant::now();
        let faults = std::mem::take(&mut desk.waiting);
        let speed = records.simulated.as_ref().map_or(1.0, |c| c.speed());
        Ok(ClassOrders { lesson: self.lesson.clone(), now: records.now(), speed, faults })
    }

    /// The class as the trainer follows it.
    pub fn view(&self) -> ClassView {
        let desks = self
            .desks()
            .iter()
            .map(|(id, d)| ClassDesk {
                desk: id.clone(),
                name: d.name.clone(),
                report: d.report.clone(),
                seen_seconds_ago: d.seen.elapsed().as_secs(),
                waiting: d.waiting.len(),
            })
            .collect();
        ClassView { lesson: self.lesson.clone(), desks }
    }

    /// Sends `fault` to `desk`, or to every desk of the class; how many
    /// desks it went to.
    pub fn send(&self, desk: Option<&str>, fault: FaultKind) -> Result<usize, Failure> {
        let mut desks = self.desks();
        let mut to: Vec<&mut Desk> = match desk {
            Some(id) => vec![desks.get_mut(id).ok_or_else(|| {
                Failure::NotFound(format!("no desk «{id}» has joined the class: see GET /v1/class for those that have"))
            })?],
            None => desks.values_mut().collect(),
        };
        for desk in &mut to {
            if desk.waiting.len() >= MAX_WAITING {
                desk.waiting.remove(0);
            }
            desk.waiting.push(fault);
        }
        Ok(to.len())
    }
}

fn check_report(report: &DeskReport) -> Result<(), Failure> {
    let texts = [Some(&report.screen), Some(&report.step), report.lesson.as_ref(), report.last_action.as_ref()];
    if texts.into_iter().flatten().any(|t| t.chars().count() > MAX_TEXT || t.chars().any(char::is_control)) {
        return Err(Failure::BadRequest(format!(
            "a desk's report: each text at most {MAX_TEXT} characters, without control characters"
        )));
    }
    Ok(())
}

/// The lesson `name` names: a shipped lesson by its id, or a lesson file.
pub fn lesson(name: &str) -> anyhow::Result<Lesson> {
    let path = std::path::Path::new(name);
    if name.ends_with(".toml") || path.exists() {
        return mitid_core::lesson::read(path).map_err(|problems| {
            let said: Vec<String> = problems.iter().map(|p| format!("{}:{}: {}", name, p.line, p.reason)).collect();
            anyhow::anyhow!("the lesson cannot be used:\n{}", said.join("\n"))
        });
    }
    let Some((_, text)) = mitid_core::lesson::SHIPPED.iter().find(|(id, _)| *id == name) else {
        let known: Vec<&str> = mitid_core::lesson::SHIPPED.iter().map(|(id, _)| *id).collect();
        anyhow::bail!("there is no lesson «{name}»: the shipped ones are {}, or name a lesson file", known.join(", "));
    };
    mitid_core::lesson::parse(text).map_err(|p| anyhow::anyhow!("the shipped lesson {name} cannot be used: {p:?}"))
}

/// Adds the lesson's callers the class's directory does not hold yet,
/// with the P-codes the lesson gives them; how many were added. The
/// records' async twin of [`mitid_core::lesson::preload`], by its rules.
pub async fn preload(records: &Records, lesson: &Lesson) -> Result<usize, Failure> {
    let trainer = Actor::agent("class");
    let mut added = 0;
    for caller in &lesson.callers {
        if caller.is_among(&records.search(&caller.query(), 20).await?) {
            continue;
        }
        let id = records.add_caller(&trainer, caller.details.clone()).await?;
        added += 1;
        match caller.pcode {
            CodeSetup::None => {}
            CodeSetup::Active => {
                records.issue_pcode(&trainer, id).await?;
            }
            CodeSetup::Expired => {
                records.issue_expired_pcode_for_lesson(&trainer, id).await?;
            }
            CodeSetup::Locked => {
                let (code, _) = records.issue_pcode(&trainer, id).await?;
                let wrong = mitid_core::lesson::wrong_code(&code).map_err(StoreError::from)?;
                for _ in 0..mitid_core::pcode::ATTEMPTS {
                    let (redemption, _) = records.redeem_pcode(id, &wrong).await?;
                    if redemption == mitid_core::pcode::Redemption::Locked {
                        break;
                    }
                }
            }
        }
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shipped_lesson_is_found_by_its_id_and_an_unknown_one_is_named() {
        assert_eq!(lesson("late-call").unwrap().lesson.id, "late-call");
        let error = lesson("meteor").unwrap_err().to_string();
        assert!(error.contains("late-call") && error.contains("meteor"), "{error}");
        assert!(lesson("/no/such/lesson.toml").unwrap_err().to_string().contains("cannot be used"));
    }

    #[test]
    fn a_report_with_control_characters_or_a_novel_in_it_is_refused() {
        let report = |step: String| DeskReport { step, ..DeskReport::default() };
        assert!(check_report(&report("Chip".into())).is_ok());
        assert!(check_report(&report("a\u{1b}[31m".into())).is_err());
        assert!(check_report(&report("x".repeat(MAX_TEXT + 1))).is_err());
    }
}
