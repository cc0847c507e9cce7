//! Starting the service: the configuration, the key, the database
//! (migrated at start, waiting while it is away), HTTPS with rustls, the
//! audit integrator, and a graceful stop on SIGTERM or Ctrl-C that lets
//! the requests in flight finish.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum_server::tls_rustls::RustlsConfig;
use mitid_core::pcode::CodeKey;

use crate::config::ServerConfig;
use crate::db;
use crate::http::{self, App};
use crate::records::Records;

/// Reads the P-code key file (hex, as `new-key` writes it).
pub fn read_key(path: &Path) -> anyhow::Result<CodeKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("the P-code key file {} cannot be read", path.display()))?;
    CodeKey::from_hex(text.trim())
        .with_context(|| format!("the P-code key file {} does not hold a key (64 hex digits)", path.display()))
}

/// Writes a new P-code key to `path`, readable by its owner only; refuses
/// to replace one (every code issued so far would become uncheckable).
pub fn new_key(path: &Path) -> anyhow::Result<String> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let key = CodeKey::generate().map_err(|e| anyhow::anyhow!("the system's random generator failed: {e}"))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("{} cannot be created (a key file is never replaced)", path.display()))?;
    file.write_all(key.to_hex().as_bytes())?;
    file.sync_all()?;
    Ok(key.fingerprint())
}

/// The TLS configuration from the PEM files, with rustls' ring provider.
pub fn tls(config: &ServerConfig) -> anyhow::Result<rustls::ServerConfig> {
    let clients = config.mitid_side.as_ref().map(crate::mitid_side::client_verifier).transpose()?;
    tls_with(&config.tls.cert, &config.tls.key, clients)
}

/// The TLS configuration of the certificate chain and key in these PEM
/// files.
pub fn tls_from(cert: &Path, key: &Path) -> anyhow::Result<rustls::ServerConfig> {
    tls_with(cert, key, None)
}

/// As [`tls_from`], asking clients for a certificate `clients` verifies
/// (the MitID side's) where given.
fn tls_with(
    cert: &Path,
    key: &Path,
    clients: Option<Arc<dyn rustls::server::danger::ClientCertVerifier>>,
) -> anyhow::Result<rustls::ServerConfig> {
    let read =
        |path: &Path| std::fs::read(path).with_context(|| format!("the TLS file {} cannot be read", path.display()));
    let certs = rustls_pemfile::certs(&mut read(cert)?.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{} is not a PEM certificate chain", cert.display()))?;
    anyhow::ensure!(!certs.is_empty(), "{} holds no certificate", cert.display());
    let key_path = key;
    let key = rustls_pemfile::private_key(&mut read(key_path)?.as_slice())
        .ok()
        .flatten()
        .with_context(|| format!("{} is not a PEM private key", key_path.display()))?;
    let builder = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()?;
    let builder = match clients {
        Some(verifier) => builder.with_client_cert_verifier(verifier),
        None => builder.with_no_client_auth(),
    };
    let mut tls = builder.with_single_cert(certs, key).context("the TLS certificate and key do not belong together")?;
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tls)
}

/// Opens the records: the pool, the schema brought up to date, the key
/// checked against the database's. Waits (saying so) while the database
/// cannot be reached; a wrong key or a newer schema ends it.
pub async fn open(config: &ServerConfig) -> anyhow::Result<Records> {
    let key = read_key(&config.pcode_key)?;
    // libphonenumber loads its tables on first use: here, not in the first
    // request that carries a phone number.
    let _ = mitid_core::caller::Phone::parse("+4520123456");
    let pool = db::pool(&config.database)?;
    let mut delay = Duration::from_millis(200);
    loop {
        match db::migrate(&pool).await {
            Ok(_) => break,
            Err(db::DbError::TooNew { found, known }) => {
                anyhow::bail!(db::DbError::TooNew { found, known })
            }
            Err(e) => {
                tracing::warn!(error = %e, "waiting for the database");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
        }
    }
    let hours = config.hours()?;
    let records = Records::new(pool, key, hours, config.clock.simulated, config.desk.max_active_pcodes)
        .chaining(config.audit.chaining);
    // The head row exists from the start: a change chaining in its
    // transaction locks it.
    {
        let client = records.pool.get().await?;
        client
            .execute(
                "INSERT INTO audit_head (one, seq, hash) VALUES (true, 0, $1) ON CONFLICT (one) DO NOTHING",
                &[&mitid_core::audit::GENESIS.as_slice()],
            )
            .await?;
    }
    records.bind_key().await.map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let refolded = records.refold().await.map_err(|e| anyhow::anyhow!(e.log_text()))?;
    if refolded > 0 {
        tracing::info!(callers = refolded, "names in other scripts indexed again for search");
    }
    let bound = records.bind_holders().await.map_err(|e| anyhow::anyhow!(e.log_text()))?;
    if bound > 0 {
        tracing::info!(codes = bound, "P-codes issued before this version bound to their holders");
    }
    Ok(records)
}

/// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight.
pub async fn serve(config: ServerConfig) -> anyhow::Result<()> {
    serve_class(config, None).await
}

/// What `--demo` asks for: a training service serving a class, with the
/// lesson's clock and callers when one is named.
#[derive(Debug, Clone, Default)]
pub struct Demo {
    /// The class's lesson.
    pub lesson: Option<mitid_core::lesson::Lesson>,
}

/// As [`serve`]; with `demo`, as a training service serving a class: the
/// clock simulated (at the lesson's start, unless the configuration sets
/// one), the lesson's callers in the directory.
pub async fn serve_class(mut config: ServerConfig, demo: Option<Demo>) -> anyhow::Result<()> {
    let training = demo.is_some();
    let lesson = demo.and_then(|d| d.lesson);
    if training && config.clock.simulated.is_none() {
        config.clock.simulated = Some(lesson.as_ref().map_or_else(jiff::Timestamp::now, |l| l.clock.start));
    }
    let tls = RustlsConfig::from_config(Arc::new(tls(&config)?));
    let records = open(&config).await?;
    if let (Some(lesson), Some(clock)) = (&lesson, &records.simulated) {
        clock.set_speed(lesson.clock.speed);
        let added = crate::class::preload(&records, lesson).await.map_err(|e| anyhow::anyhow!(e.log_text()))?;
        tracing::info!(lesson = %lesson.lesson.id, callers = added, "class: the lesson's callers are in the directory");
    }
    let class =
        records.simulated.is_some().then(|| crate::class::Class::new(lesson.as_ref().map(|l| l.lesson.id.clone())));
    let identity = config.identity.clone().map(crate::identity::Identity::new).transpose()?;
    let mitid_side = config.mitid_side.as_ref().map(crate::mitid_side::MitidSide::new);
    let request_deadline = Duration::from_millis(config.database.request_deadline_ms());
    let app = Arc::new(App {
        records,
        trust_warn_days: config.trust.warn_days,
        identity,
        mitid_side,
        class,
        request_deadline,
    });
    let fetches = crate::trust::spawn_fetches(app.clone(), config.trust.fetch.clone());
    let handle = axum_server::Handle::new();
    let integrator = {
        let app = app.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(200));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = app.records.integrate(false).await {
                    tracing::warn!(error = %e.log_text(), "the audit integrator will try again");
                }
            }
        })
    };
    {
        let handle = handle.clone();
        tokio::spawn(async move {
            stop_signal().await;
            tracing::info!("stopping: finishing the requests in flight");
            handle.graceful_shutdown(Some(Duration::from_secs(30)));
        });
    }
    let listener =
        std::net::TcpListener::bind(config.listen).with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener.local_addr()?;
    listener.set_nonblocking(true)?;
    tracing::info!(%address, "listening (HTTPS)");
    // The address on standard output, for whoever started the server on
    // port 0 (tests, `packaging/site.sh`).
    println!("listening on {address}");
    // TCP_NODELAY: an answer is written in more than one piece (TLS
    // records), and Nagle's algorithm would hold the last one for the
    // client's delayed acknowledgement — 40 ms on Linux (measured: the
    // slowest of a single typist's searches fell from 46 ms to 11 ms).
    let acceptor =
        axum_server::tls_rustls::RustlsAcceptor::new(tls).acceptor(axum_server::accept::NoDelayAcceptor::new());
    axum_server::from_tcp(listener)?
        .acceptor(acceptor)
        .handle(handle)
        .serve(http::router(app.clone()).into_make_service())
        .await?;
    integrator.abort();
    if let Some(fetches) = fetches {
        fetches.abort();
    }
    // Whatever was written last is chained before the server goes.
    if let Err(e) = app.records.integrate(true).await {
        tracing::warn!(error = %e.log_text(), "the last audit entries stay for the next integrator");
    }
    tracing::info!("stopped");
    Ok(())
}

async fn stop_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}
