//! The test OpenID provider (`packaging/oidc.sh`) for the server's tests,
//! and signing in to it as the desk does.

#![allow(dead_code, clippy::unwrap_used)] // each test uses some; a panic is the failure report

use std::process::Command;

use crate::support::repo;

/// The test OpenID provider (`packaging/oidc.sh`), stopped when dropped.
pub struct Provider {
    dir: tempfile::TempDir,
    /// Its issuer URL.
    pub issuer: String,
}

impl Provider {
    /// Starts one, or `None` (with why) where Node is absent; CI has it.
    pub fn start() -> Option<Self> {
        Self::start_with_ttl(300)
    }

    /// As [`Self::start`], its access tokens valid for `seconds`.
    pub fn start_with_ttl(seconds: u32) -> Option<Self> {
        let found = Command::new("sh").args(["-c", "command -v node"]).output().unwrap();
        if !found.status.success() {
            assert!(std::env::var_os("CI").is_none(), "CI has Node for the test OpenID provider");
            eprintln!("skipped: no Node for the test OpenID provider");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("bash")
            .arg(repo().join("packaging/oidc.sh"))
            .arg("start")
            .arg(dir.path())
            .env("MITID_OIDC_ACCESS_TTL", seconds.to_string())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "the test OpenID provider did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let issuer = String::from_utf8_lossy(&out.stdout).lines().last().unwrap().trim().to_owned();
        Some(Self { dir, issuer })
    }

    /// Stops it and starts it again on the same port — with a key of its
    /// own: the provider has rotated its signing keys.
    pub fn restart(&mut self) {
        let port = self.issuer.rsplit(':').next().unwrap().trim_end_matches('/').to_owned();
        let script = repo().join("packaging/oidc.sh");
        let _ = Command::new("bash").arg(&script).arg("stop").arg(self.dir.path()).status();
        let out = Command::new("bash").arg(&script).arg("start").arg(self.dir.path()).arg(&port).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let issuer = String::from_utf8_lossy(&out.stdout).lines().last().unwrap().trim().to_owned();
        assert_eq!(issuer, self.issuer, "the same issuer");
    }

    /// Its log.
    pub fn log_path(&self) -> std::path::PathBuf {
        self.dir.path().join("oidc.log")
    }

    /// Signs `user` in as the desk does — authorization code with PKCE, a
    /// loopback redirect — with the browser's part played by this client;
    /// the access token.
    pub fn sign_in(&self, user: &str) -> String {
        // Plain HTTP on loopback; reqwest still wants its TLS set up.
        let tls =
            rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth();
        let http = reqwest::blocking::Client::builder()
            .tls_backend_preconfigured(tls)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut verifier_bytes = [0u8; 32];
        getrandom::fill(&mut verifier_bytes).unwrap();
        let verifier = mitid_remote::signin::base64url(&verifier_bytes);
        let challenge = mitid_remote::signin::pkce_challenge(&verifier);
        let redirect = "http://127.0.0.1:47113/callback";
        let mut cookies: Vec<String> = Vec::new();
        let keep = |response: &reqwest::blocking::Response, cookies: &mut Vec<String>| {
            for value in response.headers().get_all("set-cookie") {
                let pair = value.to_str().unwrap().split(';').next().unwrap().to_owned();
                let name = pair.split('=').next().unwrap().to_owned();
                cookies.retain(|c| !c.starts_with(&format!("{name}=")));
                cookies.push(pair);
            }
        };
        let mut url = url::Url::parse(&format!("{}/auth", self.issuer)).unwrap();
        url.query_pairs_mut()
            .append_pair("client_id", "mitid-assist-desk")
            .append_pair("redirect_uri", redirect)
            .append_pair("response_type", "code")
            .append_pair("scope", "openid offline_access profile groups")
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("prompt", "consent")
            .append_pair("resource", "https://mitid-assist");
        let mut next = url.to_string();
        let code = 'flow: loop {
            let response = http.get(&next).header("cookie", cookies.join("; ")).send().unwrap();
            keep(&response, &mut cookies);
            if let Some(location) = response.headers().get("location") {
                next = url::Url::parse(&self.issuer).unwrap().join(location.to_str().unwrap()).unwrap().to_string();
            } else {
                let page = response.text().unwrap();
                let action = page.split("action=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
                // The sign-in form (any password serves), then the consent.
                let form: Vec<(&str, &str)> = if page.contains("name=\"login\"") {
                    vec![("prompt", "login"), ("login", user), ("password", "test")]
                } else {
                    vec![("prompt", "consent")]
                };
                let response = http
                    .post(&action)
                    .header("cookie", cookies.join("; "))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(encoded(&form))
                    .send()
                    .unwrap();
                keep(&response, &mut cookies);
                let Some(location) = response.headers().get("location") else {
                    let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
                    panic!("the sign-in stopped: {} {}\n{log}", response.status(), response.text().unwrap_or_default());
                };
                let location = location.to_str().unwrap();
                next = url::Url::parse(&self.issuer).unwrap().join(location).unwrap().to_string();
            }
            if next.starts_with(redirect) {
                let url = url::Url::parse(&next).unwrap();
                break 'flow url.query_pairs().find(|(k, _)| k == "code").expect("a code").1.into_owned();
            }
        };
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect),
            ("client_id", "mitid-assist-desk"),
            ("code_verifier", verifier.as_str()),
            ("resource", "https://mitid-assist"),
        ];
        let tokens: serde_json::Value = http
            .post(format!("{}/token", self.issuer))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encoded(&form))
            .send()
            .unwrap()
            .json()
            .unwrap();
        tokens["access_token"].as_str().expect("an access token").to_owned()
    }

    /// The `[identity]` table for a server of this provider.
    pub fn config(&self, audience: &str) -> String {
        format!(
            "[identity]\nissuer = \"{}\"\naudience = \"{audience}\"\nresource = \"https://mitid-assist\"\n\
             [identity.groups]\n\
             mitid-phone-agents = \"phone_agent\"\nmitid-counter-staff = \"counter_staff\"\n\
             mitid-supervisors = \"supervisor\"\nmitid-auditors = \"auditor\"\nmitid-admins = \"admin\"\n\
             mitid-trainers = \"trainer\"\n",
            self.issuer
        )
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(repo().join("packaging/oidc.sh")).arg("stop").arg(self.dir.path()).status();
    }
}

fn encoded(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}
