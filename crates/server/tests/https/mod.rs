//! A plain HTTPS client that trusts the test CA, for requests the desk's
//! client would never send (raw bodies, bearer tokens, headers of its own).

#![allow(dead_code, clippy::unwrap_used)] // a panic is the failure report

/// The client.
pub fn client() -> reqwest::blocking::Client {
    let pem = std::fs::read(crate::support::ca().join("ca.pem")).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let tls =
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    reqwest::blocking::Client::builder().tls_backend_preconfigured(tls).build().unwrap()
}

/// As [`client`], presenting the client certificate and key in these PEM
/// files (mutual TLS, as the MitID side does).
pub fn client_with_certificate(cert: &std::path::Path, key: &std::path::Path) -> reqwest::blocking::Client {
    client_trusting(&crate::support::ca().join("ca.pem"), cert, key)
}

/// As [`client_with_certificate`], trusting the CA in `ca` (PEM).
pub fn client_trusting(
    ca: &std::path::Path,
    cert: &std::path::Path,
    key: &std::path::Path,
) -> reqwest::blocking::Client {
    let pem = std::fs::read(ca).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let chain =
        rustls_pemfile::certs(&mut std::fs::read(cert).unwrap().as_slice()).collect::<Result<Vec<_>, _>>().unwrap();
    let key = rustls_pemfile::private_key(&mut std::fs::read(key).unwrap().as_slice()).unwrap().unwrap();
    let tls =
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_client_auth_cert(chain, key)
            .unwrap();
    reqwest::blocking::Client::builder().tls_backend_preconfigured(tls).build().unwrap()
}

/// The `[mitid_side]` table naming the test MitID side's CA, with these
/// limits a minute (per client, per holder).
pub fn mitid_side_config(per_client: u32, per_holder: u32) -> String {
    format!(
        "[mitid_side]\nclient_ca = \"{}\"\nper_client_per_minute = {per_client}\nper_holder_per_minute = {per_holder}\n",
        crate::support::ca().join("mitid-side-ca.pem").display()
    )
}
