//! Load on a running `mitid-assist-server` over HTTPS, as many desks make
//! it: `packaging/bench-service.sh` starts the site and runs this beside
//! pgbench on the same cluster, in one run.
//!
//! ```text
//! cargo bench -p mitid-assist-server --bench load -- pairs URL CA CLIENTS SECONDS
//! cargo bench -p mitid-assist-server --bench load -- fill URL CA CALLERS
//! cargo bench -p mitid-assist-server --bench load -- search URL CA CLIENTS SECONDS [PACE_MS]
//! cargo bench -p mitid-assist-server --bench load -- token ISSUER AUDIENCE TOKEN
//! cargo bench -p mitid-assist-server --bench load -- redeem URL CA CLIENTS SECONDS CERT KEY
//! cargo bench -p mitid-assist-server --bench load -- signin URL CA ROUNDS
//! ```
//!
//! `signin`: a desk's sign-in to its first screen, ROUNDS times one after
//! another: the provider asked of the service, the sign-in begun, the
//! browser's part played by `packaging/oidc/sign-in.py` (run from the
//! repository's root), the code exchanged on loopback, the desk connected
//! with the token and the Callers screen's first list fetched.
//!
//! `redeem`: the MitID side's entries of codes over mutual TLS (CERT and
//! KEY its client certificate), CLIENTS clients of their own connections
//! at once; each client has holders of its own with a code each, and
//! enters each holder's code three times (its three uses, each accepted).
//!
//! `token`: what checking a staff member's access token costs the server
//! per request (µs), the provider's keys already fetched.
//!
//! `pairs`: each client has a caller of its own and issues a P-code, then
//! redeems it, again and again; one pair is both answers. `search`: the
//! clients type names of the made-up callers as the desk's Callers screen
//! sends them (each keystroke a search for 50, from the first letter):
//! with PACE_MS 0 (the default) as fast as the answers come — the most the
//! service can do —, else as an agent types, a keystroke every PACE_MS
//! (the next one at once when an answer took longer) and a second to read
//! the results after each name. Prints one JSON line of figures.

#![allow(clippy::unwrap_used)] // a benchmark: a panic is the report

use std::sync::Arc;
use std::time::{Duration, Instant};

use mitid_core::synthetic;

fn client(ca: &str) -> reqwest::Client {
    let pem = std::fs::read(ca).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder().tls_backend_preconfigured(tls).pool_max_idle_per_host(1024).build().unwrap()
}

/// As [`client`], presenting the MitID side's certificate.
fn side_client(ca: &str, cert: &str, key: &str) -> reqwest::Client {
    let pem = std::fs::read(ca).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls_pemfile::certs(&mut pem.as_slice()) {
        roots.add(c.unwrap()).unwrap();
    }
    let chain =
        rustls_pemfile::certs(&mut std::fs::read(cert).unwrap().as_slice()).collect::<Result<Vec<_>, _>>().unwrap();
    let key = rustls_pemfile::private_key(&mut std::fs::read(key).unwrap().as_slice()).unwrap().unwrap();
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .unwrap();
    reqwest::Client::builder().tls_backend_preconfigured(tls).build().unwrap()
}

/// Holders of each MitID-side client's own.
const HOLDERS_PER_CLIENT: usize = 200;

async fn redeem(url: String, http: reqwest::Client, clients: usize, seconds: u64, side: (String, String, String)) {
    // Callers with a passport each, and a code each.
    let holders = clients * HOLDERS_PER_CLIENT;
    let ids = add_callers(&http, &url, holders, |i| {
        serde_json::json!({"given_name": "Load", "family_name": format!("Holder{i}"), "birth_date": "1980-01-01",
            "nationality": "DEU", "documents": [{"kind": "passport", "country": "DEU", "number": format!("L{i}")}]})
    })
    .await;
    let issuers: Vec<_> = ids
        .chunks(HOLDERS_PER_CLIENT)
        .enumerate()
        .map(|(c, callers)| {
            let (http, url, callers) = (http.clone(), url.clone(), callers.to_vec());
            tokio::spawn(async move {
                let mut codes = Vec::new();
                for (i, caller) in callers.iter().enumerate() {
                    let issued: serde_json::Value = http
                        .post(format!("{url}/v1/callers/{caller}/pcodes"))
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    codes.push((c * HOLDERS_PER_CLIENT + i, issued["code"].as_str().unwrap().to_owned()));
                }
                codes
            })
        })
        .collect();
    let mut work = Vec::new();
    for task in issuers {
        work.push(task.await.unwrap());
    }
    eprintln!("{holders} holders with a code each");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = work
        .into_iter()
        .map(|codes| {
            let (http, url) = (side_client(&side.0, &side.1, &side.2), url.clone());
            tokio::spawn(async move {
                let (mut times, mut errors) = (Vec::new(), 0usize);
                'all: for (holder, code) in &codes {
                    for entry in 0..3 {
                        if Instant::now() >= deadline {
                            break 'all;
                        }
                        let body = serde_json::json!({"code": code, "attempt_id": format!("{holder}-{entry}"),
                            "holder": {"issuing_state": "D", "document_number": format!("L{holder}"),
                                "date_of_birth": "1980-01-01", "surname": "LOAD", "given_names": format!("HOLDER{holder}"),
                                "nationality": "DEU"}});
                        let t = Instant::now();
                        match http.post(format!("{url}/v1/redemptions")).json(&body).send().await {
                            Ok(r) if r.status().is_success() => {
                                let answer: serde_json::Value = r.json().await.unwrap();
                                assert_eq!(answer["result"], "accepted", "{answer}");
                                times.push(t.elapsed().as_secs_f64() * 1000.0);
                            }
                            _ => errors += 1,
                        }
                    }
                }
                (times, errors)
            })
        })
        .collect();
    let (times, errors) = gather(tasks).await;
    report("MitID-side redemption, mutual TLS", clients, started.elapsed(), times, errors);
}

/// `n` callers made by `caller(i)`, added in batches; their ids.
async fn add_callers(
    http: &reqwest::Client,
    url: &str,
    n: usize,
    caller: impl Fn(usize) -> serde_json::Value,
) -> Vec<i64> {
    let mut ids = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(2_000) {
        let batch: Vec<serde_json::Value> = chunk.iter().map(|i| caller(*i)).collect();
        let created: serde_json::Value = http
            .post(format!("{url}/v1/callers/batch"))
            .json(&serde_json::json!({"callers": batch, "action": "caller.generate"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.extend(created["ids"].as_array().unwrap().iter().map(|id| id.as_i64().unwrap()));
    }
    ids
}

/// Every client's times and errors, together.
async fn gather(tasks: Vec<tokio::task::JoinHandle<(Vec<f64>, usize)>>) -> (Vec<f64>, usize) {
    let (mut times, mut errors) = (Vec::new(), 0);
    for task in tasks {
        let (t, e) = task.await.unwrap();
        times.extend(t);
        errors += e;
    }
    (times, errors)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(kind: &str, clients: usize, elapsed: Duration, mut times: Vec<f64>, errors: usize) {
    times.sort_by(f64::total_cmp);
    let rate = times.len() as f64 / elapsed.as_secs_f64();
    println!(
        "{}",
        serde_json::json!({
            "kind": kind, "clients": clients, "done": times.len(), "errors": errors,
            "per_second": (rate * 10.0).round() / 10.0,
            "p50_ms": (percentile(&times, 0.5) * 100.0).round() / 100.0,
            "p99_ms": (percentile(&times, 0.99) * 100.0).round() / 100.0,
            "max_ms": (percentile(&times, 1.0) * 100.0).round() / 100.0,
        })
    );
}

/// Callers of each client's own, taken in turn, so that no caller holds
/// more codes than a real one would (a few), however long the run.
const CALLERS_PER_CLIENT: usize = 200;

async fn pairs(url: String, http: reqwest::Client, clients: usize, seconds: u64) {
    let ids = add_callers(
        &http,
        &url,
        clients * CALLERS_PER_CLIENT,
        |i| serde_json::json!({"given_name": "Load", "family_name": format!("Client{i}")}),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = ids
        .chunks(CALLERS_PER_CLIENT)
        .map(|callers| {
            let (http, url, callers) = (http.clone(), url.clone(), callers.to_vec());
            tokio::spawn(async move {
                let (mut times, mut errors) = (Vec::new(), 0usize);
                for caller in callers.iter().cycle() {
                    if Instant::now() >= deadline {
                        break;
                    }
                    let t = Instant::now();
                    let issued = http.post(format!("{url}/v1/callers/{caller}/pcodes")).send().await;
                    let Ok(issued) = issued else {
                        errors += 1;
                        continue;
                    };
                    if !issued.status().is_success() {
                        errors += 1;
                        continue;
                    }
                    let issued: serde_json::Value = issued.json().await.unwrap();
                    let code = issued["code"].as_str().unwrap().to_owned();
                    let redeemed = http
                        .post(format!("{url}/v1/callers/{caller}/redemptions"))
                        .json(&serde_json::json!({"code": code}))
                        .send()
                        .await;
                    match redeemed {
                        Ok(r) if r.status().is_success() => {
                            let answer: serde_json::Value = r.json().await.unwrap();
                            assert_eq!(answer["redemption"], "accepted", "{answer}");
                            times.push(t.elapsed().as_secs_f64() * 1000.0);
                        }
                        _ => errors += 1,
                    }
                }
                (times, errors)
            })
        })
        .collect();
    let (times, errors) = gather(tasks).await;
    report("issue+redeem", clients, started.elapsed(), times, errors);
}

async fn fill(url: String, http: reqwest::Client, callers: u64) {
    let mut rng = synthetic::Rng::new(1);
    let started = Instant::now();
    let mut done = 0;
    while done < callers {
        let size = (callers - done).min(2_000);
        let batch: Vec<_> = (0..size).map(|_| synthetic::caller(&mut rng)).collect();
        let body = serde_json::json!({"callers": batch, "action": "caller.generate"});
        let r = http.post(format!("{url}/v1/callers/batch")).json(&body).send().await.unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        done += size;
        eprint!("\r{done} of {callers} callers made ({:.0} s)", started.elapsed().as_secs_f64());
    }
    eprintln!();
}

async fn search(url: String, http: reqwest::Client, clients: usize, seconds: u64, pace_ms: u64) {
    // The names the generator made with seed 1: typed as an agent types
    // them, a prefix a request from three letters on.
    let mut rng = synthetic::Rng::new(1);
    let names: Vec<String> = (0..2_000)
        .map(|_| {
            let c = synthetic::caller(&mut rng);
            format!("{} {}", c.given_name, c.family_name)
        })
        .collect();
    let names = Arc::new(names);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|i| {
            let (http, url, names) = (http.clone(), url.clone(), names.clone());
            tokio::spawn(async move {
                let (mut times, mut errors, mut n) = (Vec::new(), 0usize, i * 37);
                while Instant::now() < deadline {
                    let name = &names[n % names.len()];
                    n += 1;
                    let chars: Vec<char> = name.chars().collect();
                    let mut next = Instant::now();
                    for end in 1..=chars.len() {
                        if pace_ms > 0 {
                            tokio::time::sleep_until(next.into()).await;
                            next = Instant::now().max(next) + Duration::from_millis(pace_ms);
                        }
                        let typed: String = chars[..end].iter().collect();
                        let t = Instant::now();
                        let q: String = url::form_urlencoded::byte_serialize(typed.as_bytes()).collect();
                        let r = http.get(format!("{url}/v1/callers/search?q={q}&limit=50")).send().await;
                        match r {
                            Ok(r) if r.status().is_success() => {
                                let _ = r.bytes().await;
                                times.push(t.elapsed().as_secs_f64() * 1000.0);
                            }
                            _ => errors += 1,
                        }
                    }
                    if pace_ms > 0 {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
                (times, errors)
            })
        })
        .collect();
    let (times, errors) = gather(tasks).await;
    report(if pace_ms > 0 { "search, typing" } else { "search" }, clients, started.elapsed(), times, errors);
}

async fn token(issuer: String, audience: String, token: String) {
    let config = mitid_assist_server::identity::IdentityConfig {
        issuer,
        audience,
        groups: [("mitid-phone-agents".to_owned(), "phone_agent".to_owned())].into(),
        leeway_seconds: 30,
        desk_client_id: "mitid-assist-desk".into(),
        resource: None,
    };
    let identity = mitid_assist_server::identity::Identity::new(config).unwrap();
    let principal = identity.check(&token).await.unwrap();
    assert!(!principal.roles.is_empty(), "a token of a user with a role: {principal:?}");
    let rounds = 2_000;
    let mut times = Vec::with_capacity(rounds);
    let started = Instant::now();
    for _ in 0..rounds {
        let t = Instant::now();
        identity.check(&token).await.unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let elapsed = started.elapsed();
    times.sort_by(f64::total_cmp);
    println!(
        "{}",
        serde_json::json!({
            "kind": "token check", "done": rounds,
            "mean_us": (elapsed.as_secs_f64() * 1e6 / rounds as f64 * 10.0).round() / 10.0,
            "p50_us": (percentile(&times, 0.5) * 10.0).round() / 10.0,
            "p99_us": (percentile(&times, 0.99) * 10.0).round() / 10.0,
        })
    );
}

fn signin(url: String, ca: String, rounds: usize) {
    let link = mitid_remote::ServerConfig { url, fallback_urls: Vec::new(), ca: Some(ca.into()) };
    let data = std::env::temp_dir().join(format!("mitid-signin-bench-{}", std::process::id()));
    std::fs::create_dir_all(&data).unwrap();
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        let info = mitid_remote::sign_in_info(&link).unwrap();
        let provider =
            mitid_remote::signin::Provider::discover(mitid_remote::http_client(&link).unwrap(), &info).unwrap();
        let pending = provider.begin().unwrap();
        let address = pending.url.clone();
        let browser = std::thread::spawn(move || {
            std::process::Command::new("python3")
                .args(["packaging/oidc/sign-in.py", "--follow", &address, "agent"])
                .output()
                .unwrap()
        });
        let tokens = pending.finish(&provider, Duration::from_secs(30)).unwrap();
        assert!(browser.join().unwrap().status.success());
        let token: Arc<dyn mitid_remote::TokenSource> = Arc::new(mitid_remote::FixedToken(tokens.access_token));
        let desk = mitid_remote::RemoteDesk::connect_signed_in(&link, "bench-desk", &data, Some(token)).unwrap();
        use mitid_core::service::DeskService as _;
        let _ = desk.search("a", 50).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let _ = std::fs::remove_dir_all(&data);
    times.sort_by(f64::total_cmp);
    println!(
        "{}",
        serde_json::json!({
            "kind": "sign-in to first screen (scripted browser)", "done": rounds,
            "p50_ms": (percentile(&times, 0.5) * 10.0).round() / 10.0,
            "p99_ms": (percentile(&times, 0.99) * 10.0).round() / 10.0,
            "max_ms": (percentile(&times, 1.0) * 10.0).round() / 10.0,
        })
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_else(|| panic!("usage: see the top of benches/load.rs"));
    let pace = args.get(5).cloned();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    if arg(0) == "token" {
        runtime.block_on(token(arg(1), arg(2), arg(3)));
        return;
    }
    if arg(0) == "signin" {
        signin(arg(1), arg(2), arg(3).parse().unwrap());
        return;
    }
    let (url, http) = (arg(1), client(&arg(2)));
    runtime.block_on(async move {
        match arg(0).as_str() {
            "pairs" => pairs(url, http, arg(3).parse().unwrap(), arg(4).parse().unwrap()).await,
            "fill" => fill(url, http, arg(3).parse().unwrap()).await,
            "redeem" => {
                let side = (arg(2), arg(5), arg(6));
                redeem(url, http, arg(3).parse().unwrap(), arg(4).parse().unwrap(), side).await
            }
            "search" => {
                let pace = pace.map_or(0, |p| p.parse().unwrap());
                search(url, http, arg(3).parse().unwrap(), arg(4).parse().unwrap(), pace).await
            }
            other => panic!("no benchmark {other}"),
        }
    });
}
