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
