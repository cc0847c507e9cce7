//! `mitid-assist-server`: the shared service of a site's desks.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mitid_assist_server::config::ServerConfig;
use mitid_assist_server::{db, serve};

#[derive(Parser)]
#[command(version, about = "The shared service of mitid-assist's desks, over HTTPS on PostgreSQL")]
struct Cli {
    /// The configuration file.
    #[arg(long, short, global = true, default_value = "/etc/mitid-assist/server.toml")]
    config: PathBuf,
    /// Serve a class (a training service): a simulated clock, the
    /// lesson's callers, and the trainer's faults for each desk. Never on
    /// a site's own database.
    #[arg(long)]
    demo: bool,
    /// The class's lesson: a shipped lesson's id, or a lesson file.
    #[arg(long, requires = "demo", value_name = "LESSON")]
    lesson: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve (the default).
    Serve,
    /// Bring the database's schema up to date, then stop.
    Migrate,
    /// Check the configuration, the key, the TLS files and the database, then stop.
    CheckConfig,
    /// Write a new P-code key to FILE (never replaces one).
    NewKey {
        /// Where.
        file: PathBuf,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Bring a single desk's records (its desk.sqlite) into the shared
    /// database; running it again imports nothing twice.
    Import {
        /// The desk's database file (close the desk first).
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mitid-assist-server: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn logging(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::NewKey { file } => {
            let fingerprint = serve::new_key(&file)?;
            println!("{} (fingerprint {fingerprint})", file.display());
            Ok(())
        }
        Command::Openapi => {
            use utoipa::OpenApi as _;
            println!("{}", mitid_assist_server::http::ApiDoc::openapi().to_pretty_json()?);
            Ok(())
        }
        Command::Serve => {
            // A lesson that cannot be used is said before anything starts.
            let demo = match (cli.demo, &cli.lesson) {
                (false, _) => None,
                (true, None) => Some(serve::Demo::default()),
                (true, Some(name)) => Some(serve::Demo { lesson: Some(mitid_assist_server::class::lesson(name)?) }),
            };
            let config = ServerConfig::load(&cli.config)?;
            logging(&config.log_level);
            runtime()?.block_on(serve::serve_class(config, demo))
        }
        Command::Migrate => {
            let config = ServerConfig::load(&cli.config)?;
            logging(&config.log_level);
            runtime()?.block_on(async {
                let pool = db::pool(&config.database)?;
                let found = db::migrate(&pool).await?;
                println!("schema {found} → {}", db::SCHEMA_VERSION);
                Ok(())
            })
        }
        Command::Import { file } => {
            let config = ServerConfig::load(&cli.config)?;
            logging(&config.log_level);
            runtime()?.block_on(async {
                let records = serve::open(&config).await?;
                let summary = mitid_assist_server::import::import(&records, &file).await?;
                if summary.already {
                    println!("desk {} was imported before: nothing imported", summary.desk);
                } else {
                    println!(
                        "desk {}: {} callers, {} contacts, {} P-codes, {} cases, {} audit entries imported",
                        summary.desk, summary.callers, summary.contacts, summary.pcodes, summary.cases, summary.entries
                    );
                    for (old, new) in &summary.renamed {
                        println!("P-code {old} is {new} here: its reference was taken");
                    }
                }
                Ok(())
            })
        }
        Command::CheckConfig => {
            let config = ServerConfig::load(&cli.config)?;
            println!("configuration: {} is valid", cli.config.display());
            let key = serve::read_key(&config.pcode_key)?;
            println!("P-code key: fingerprint {}", key.fingerprint());
            serve::tls(&config)?;
            println!("TLS: {} and {} belong together", config.tls.cert.display(), config.tls.key.display());
            runtime()?.block_on(async {
                let pool = db::pool(&config.database)?;
                let client = pool.get().await.map_err(|e| anyhow::anyhow!("the database cannot be reached: {e}"))?;
                let version: Option<i64> = client
                    .query_opt("SELECT version FROM schema_version", &[])
                    .await
                    .ok()
                    .flatten()
                    .map(|row| row.get(0));
                println!("database: reachable, schema {} of {}", version.unwrap_or(0), db::SCHEMA_VERSION);
                Ok(())
            })
        }
    }
}
