//! `login`, `whoami`, `logout`: staff sign-in to the site's shared
//! service with the organisation's identity provider — the system browser,
//! a one-time loopback listener, the refresh token in the OS keyring.

use std::time::Duration;

use mitid_core::service::DeskService;
use mitid_remote::signin::{Provider, SignInError, SignedIn};

use super::{CliError, Context, Outcome};

fn server(context: &Context) -> Result<&mitid_core::config::ServerLink, CliError> {
    context.server.as_ref().ok_or_else(|| {
        CliError::Input(
            "this desk works on its own records, where nobody signs in: set [server] url (or --server)".into(),
        )
    })
}

fn provider(context: &Context) -> Result<Provider, CliError> {
    let link = server(context)?;
    let info = mitid_remote::sign_in_info(link)?;
    Provider::discover(mitid_remote::http_client(link)?, &info).map_err(sign_in_error)
}

fn sign_in_error(error: SignInError) -> CliError {
    CliError::Input(error.to_string())
}

/// The sign-in kept for this desk's service, if someone is signed in.
pub(super) fn kept(context: &Context) -> Result<Option<SignedIn>, CliError> {
    let Some(link) = &context.server else { return Ok(None) };
    let info = mitid_remote::sign_in_info(link)?;
    if info.issuer.is_none() {
        return Ok(None);
    }
    let provider = Provider::discover(mitid_remote::http_client(link)?, &info).map_err(sign_in_error)?;
    match SignedIn::load(provider, context.config.desk.key_store, &link.url) {
        Ok(signed) => Ok(Some(signed)),
        Err(SignInError::NotSignedIn) => Err(sign_in_error(SignInError::NotSignedIn)),
        Err(e) => Err(sign_in_error(e)),
    }
}

fn who(desk: &dyn DeskService, session: &mitid_core::api::Session) -> String {
    let roles: Vec<&str> = session.roles.iter().map(|r| r.name()).collect();
    format!(
        "signed in as {} ({}); roles: {}\n",
        session.name.as_deref().unwrap_or("—"),
        desk.agent(),
        if roles.is_empty() { "none".into() } else { roles.join(", ") }
    )
}

/// `login`: the browser opened at the provider (or, with `no_browser`, its
/// address printed for you to open), the answer awaited on loopback.
pub(super) fn login(context: &Context, no_browser: bool, wait: u64) -> Result<Outcome, CliError> {
    let link = server(context)?.clone();
    let provider = provider(context)?;
    let pending = provider.begin().map_err(sign_in_error)?;
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "sign in at: {}", pending.url);
        let _ = out.flush();
    }
    if !no_browser {
        // The system browser; where there is none, the address above serves.
        let _ = std::process::Command::new("xdg-open")
            .arg(&pending.url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
    let tokens = pending.finish(&provider, Duration::from_secs(wait)).map_err(sign_in_error)?;
    let signed = SignedIn::keep(provider, context.config.desk.key_store, &link.url, tokens).map_err(sign_in_error)?;
    let agent = context.config.desk.agent_id();
    let desk = mitid_remote::RemoteDesk::connect_signed_in(
        &link,
        &agent,
        &context.paths.data_dir,
        Some(std::sync::Arc::new(signed)),
    )?;
    Ok(Outcome::ok(who(&desk, desk.session())))
}

/// `whoami`: who the service takes this desk's sign-in for.
pub(super) fn whoami(context: &Context) -> Result<Outcome, CliError> {
    let link = server(context)?.clone();
    let signed = kept(context)?.ok_or_else(|| CliError::Input("this service does not ask staff to sign in".into()))?;
    let agent = context.config.desk.agent_id();
    let desk = mitid_remote::RemoteDesk::connect_signed_in(
        &link,
        &agent,
        &context.paths.data_dir,
        Some(std::sync::Arc::new(signed)),
    )?;
    Ok(Outcome::ok(who(&desk, desk.session())))
}

/// `logout`: the sign-in withdrawn at the provider and forgotten here.
pub(super) fn logout(context: &Context) -> Result<Outcome, CliError> {
    match kept(context) {
        Ok(Some(signed)) => {
            signed.sign_out().map_err(sign_in_error)?;
            Ok(Outcome::ok("signed out\n".into()))
        }
        Ok(None) => Ok(Outcome::ok("this service does not ask staff to sign in\n".into())),
        Err(CliError::Input(text)) if text.contains("nobody is signed in") => {
            Ok(Outcome::ok("nobody was signed in\n".into()))
        }
        Err(e) => Err(e),
    }
}
