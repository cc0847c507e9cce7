//! `login`, `whoami`, `logout`: staff sign-in to the site's shared
//! service with the organisation's identity provider — the system browser,
//! a one-time loopback listener, the refresh token in the OS keyring.

use std::time::Duration;

use mitid_core::service::DeskService as _;
use mitid_remote::signin::{Provider, SignInError, SignedIn};

use super::{CliError, Context, Outcome};

fn server(context: &Context) -> Result<&mitid_core::config::ServerLink, CliError> {
    context.server.as_ref().ok_or_else(|| {
        CliError::Input(
            "this desk works on its own records, where nobody signs in: set [server] url (or --server)".into(),
        )
    })
}

fn sign_in_error(error: SignInError) -> CliError {
    CliError::Input(error.to_string())
}

/// The provider the service at `link` names; `None` where staff do not
/// sign in.
fn provider(link: &mitid_core::config::ServerLink) -> Result<Option<Provider>, CliError> {
    let info = mitid_remote::sign_in_info(link)?;
    if info.issuer.is_none() {
        return Ok(None);
    }
    Provider::discover(mitid_remote::http_client(link)?, &info).map(Some).map_err(sign_in_error)
}

/// What this desk holds of a sign-in to its service.
enum Kept {
    /// No service, or one where staff do not sign in.
    NotRequired,
    /// Nobody is signed in.
    Nobody,
    /// Someone is.
    Signed(Box<SignedIn>),
}

fn load(context: &Context) -> Result<Kept, CliError> {
    let Some(link) = &context.server else { return Ok(Kept::NotRequired) };
    let Some(provider) = provider(link)? else { return Ok(Kept::NotRequired) };
    match SignedIn::load(provider, context.config.desk.key_store, &link.url) {
        Ok(signed) => Ok(Kept::Signed(Box::new(signed))),
        Err(SignInError::NotSignedIn) => Ok(Kept::Nobody),
        Err(e) => Err(sign_in_error(e)),
    }
}

/// The sign-in kept for this desk's service: `None` where staff do not
/// sign in; an error, saying to sign in, where nobody has.
pub(super) fn kept(context: &Context) -> Result<Option<SignedIn>, CliError> {
    match load(context)? {
        Kept::NotRequired => Ok(None),
        Kept::Nobody => Err(sign_in_error(SignInError::NotSignedIn)),
        Kept::Signed(signed) => Ok(Some(*signed)),
    }
}

/// Who the service takes `signed` for, asked of it.
fn report(context: &Context, link: &mitid_core::config::ServerLink, signed: SignedIn) -> Result<Outcome, CliError> {
    let desk = mitid_remote::RemoteDesk::connect_signed_in(
        link,
        &context.config.desk.agent_id(),
        &context.paths.data_dir,
        Some(std::sync::Arc::new(signed)),
    )?;
    let session = desk.session();
    let roles: Vec<&str> = session.roles.iter().map(|r| r.name()).collect();
    Ok(Outcome::ok(format!(
        "signed in as {} ({}); roles: {}\n",
        session.name.as_deref().unwrap_or("—"),
        desk.agent(),
        if roles.is_empty() { "none".into() } else { roles.join(", ") }
    )))
}

/// `login`: the browser opened at the provider (or, with `no_browser`, its
/// address printed for you to open), the answer awaited on loopback.
pub(super) fn login(context: &Context, no_browser: bool, wait: u64) -> Result<Outcome, CliError> {
    let link = server(context)?;
    let provider = provider(link)?.ok_or_else(|| sign_in_error(SignInError::NotRequired))?;
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
    report(context, link, signed)
}

/// `whoami`: who the service takes this desk's sign-in for.
pub(super) fn whoami(context: &Context) -> Result<Outcome, CliError> {
    let link = server(context)?;
    let signed = kept(context)?.ok_or_else(|| sign_in_error(SignInError::NotRequired))?;
    report(context, link, signed)
}

/// `logout`: the sign-in withdrawn at the provider and forgotten here.
pub(super) fn logout(context: &Context) -> Result<Outcome, CliError> {
    match load(context)? {
        Kept::Signed(signed) => {
            signed.sign_out().map_err(sign_in_error)?;
            Ok(Outcome::ok("signed out\n".into()))
        }
        Kept::Nobody => Ok(Outcome::ok("nobody was signed in\n".into())),
        Kept::NotRequired => Ok(Outcome::ok("this service does not ask staff to sign in\n".into())),
    }
}
