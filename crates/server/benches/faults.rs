//! Load with faults on a running site, and a check of what every
//! acknowledged answer became. `packaging/faults.sh` starts the site (two
//! instances of the server on one PostgreSQL), runs this, makes the fault
//! meanwhile and runs the check after.
//!
//! ```text
//! cargo bench -p mitid-assist-server --bench faults -- run URL1 URL2 CA SIDE_CERT SIDE_KEY DESKS SECONDS HISTORY [cut:AT:FOR] [pace:CALLS_PER_HOUR]
//! cargo bench -p mitid-assist-server --bench faults -- check HISTORY CONNINFO KEYFILE URL CA FAULT NAME
//! cargo bench -p mitid-assist-server --bench faults -- verify URL CA DESK_DIR
//! ```
//!
//! `run`: DESKS desks — each the desk's own client ([`RemoteDesk`]), half
//! of them with URL1 first and URL2 as its fallback, half the other way
//! round — search, issue P-codes and log contact notes (kept in the outbox
//! while the service is away) for callers of their own, as fast as the
//! answers come; as many MitID-side clients (mutual TLS) enter each issued
//! code once, trying the same attempt id again until they get an answer.
//! Every answer is written to HISTORY, one JSON line each: what was
//! acknowledged, when, by whom. At the end each desk delivers its outbox.
//! With `cut:AT:FOR` the desks reach the instances through a loopback proxy
//! of the harness's own, which AT seconds in drops every connection and
//! takes none for FOR seconds (the MitID side's clients go direct); when
//! and for how long go to `HISTORY.fault`, with the word `cut`: no code may
//! be shown meanwhile, and every desk must have said it was unreachable.
//! With `pace:CALLS_PER_HOUR` the desks together take that many calls an
//! hour, evenly (a soak at a staff's rate), instead of flat out.
//!
//! `check`: holds HISTORY against the database. Lost: a code an agent was
//! shown that is not stored (or not as that code), a contact note
//! acknowledged but not stored, a redemption answered but not counted (or
//! counted otherwise). Doubled: a note stored twice, a code with more uses
//! spent than entries counted, an entry counted that no client sent. The
//! audit log must verify (through URL, as a desk checks it) and hold an
//! entry for every code and note. FAULT is a file of two lines, when the
//! fault began and when it was put right (Unix ms); recovery is the time
//! from then until every desk had an acknowledged answer again. An entry
//! answered 500, or 503 without `Retry-After`, fails the check. Prints
//! `fault NAME acknowledged N lost N doubled N recovery_ms N` and fails when
//! anything was lost or doubled.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a harness: a panic is the report

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mitid_core::caller::{CallerDetails, Channel, DocumentKind, DocumentRef};
use mitid_core::pcode::{CodeKey, PCode};
use mitid_core::service::{DeskService, NewContact};
use mitid_remote::RemoteDesk;
use serde::{Deserialize, Serialize};

/// Callers of each desk's own.
const CALLERS_PER_DESK: usize = 5;
/// How long the desks may take to deliver their outboxes after the run.
const DELIVERY: Duration = Duration::from_secs(60);
/// How long a MitID-side client tries one entry before it gives up.
const PATIENCE: Duration = Duration::from_secs(60);

/// One acknowledged answer (or an entry given up on).
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Event {
    /// A code shown to the agent.
    Issue { who: String, at: u64, reference: String, code: String },
    /// A contact note taken (sent or kept in the outbox).
    Contact { who: String, at: u64, outcome: String },
    /// A counter case's step recorded (sent or kept in the outbox).
    CaseStep { who: String, at: u64, detail: String },
    /// A desk's request refused or failed: what it was told.
    DeskError { who: String, at: u64, error: String },
    /// How long each of a desk's or client's requests took (µs), at the end.
    Timings { who: String, us: Vec<u32> },
    /// A search answered.
    Search { who: String, at: u64 },
    /// An entry of a code answered.
    Redeem { who: String, at: u64, attempt: String, result: String, attempts_left: u8, tries: u32 },
    /// An entry never answered (the client gave up).
    Unanswered { who: String, attempt: String },
    /// An answer of the service's own failure (5xx) to an entry.
    Failed { who: String, status: u16, retry_after: bool },
    /// A desk's status bar turned to "unreachable".
    Unreachable { who: String, at: u64 },
    /// What a desk's outbox still held at the end.
    Undelivered { who: String, waiting: usize },
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

type History = Arc<Mutex<std::io::BufWriter<std::fs::File>>>;

fn write(history: &History, event: &Event) {
    let mut out = history.lock().unwrap();
    serde_json::to_writer(&mut *out, event).unwrap();
    out.write_all(b"\n").unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    match args.first().map(String::as_str) {
        Some("run") if (9..=11).contains(&args.len()) => run(&args[1..]),
        Some("verify") if args.len() == 4 => {
            if !verify(&args[1..]) {
                std::process::exit(1);
            }
        }
        Some("check") if args.len() == 8 => {
            if !check(&args[1..]) {
                std::process::exit(1);
            }
        }
        _ => {
            eprintln!("usage: faults run URL1 URL2 CA SIDE_CERT SIDE_KEY DESKS SECONDS HISTORY");
            eprintln!("       faults check HISTORY CONNINFO KEYFILE URL CA FAULT NAME");
            std::process::exit(2);
        }
    }
}

/// The holder of a desk's caller, as the chip gives them to the MitID side.
fn holder(desk: usize, i: usize) -> serde_json::Value {
    serde_json::json!({"issuing_state": "D", "document_number": format!("F{desk}X{i}"),
        "date_of_birth": "1980-01-01", "surname": "FAULT", "given_names": format!("H{desk}X{i}"),
        "nationality": "DEU"})
}

fn caller(desk: usize, i: usize) -> CallerDetails {
    CallerDetails {
        given_name: "Fault".into(),
        family_name: format!("H{desk}x{i}"),
        birth_date: Some(jiff::civil::date(1980, 1, 1)),
        nationality: Some("DEU".into()),
        documents: vec![DocumentRef {
            kind: DocumentKind::Passport,
            country: "DEU".into(),
            number: format!("F{desk}X{i}"),
        }],
        ..CallerDetails::default()
    }
}

fn run(args: &[String]) {
    let [url1, url2, ca, cert, key, desks, seconds, history_file, options @ ..] = args else { unreachable!() };
    let desks: usize = desks.parse().unwrap();
    let cut = options.iter().find(|o| o.starts_with("cut:"));
    // Each desk's time between calls, when paced.
    let period = options.iter().find_map(|o| o.strip_prefix("pace:")).map(|per_hour| {
        let per_hour: f64 = per_hour.parse().expect("pace:CALLS_PER_HOUR");
        Duration::from_secs_f64(3600.0 * desks as f64 / per_hour)
    });
    let deadline = Instant::now() + Duration::from_secs(seconds.parse().unwrap());
    let history: History = Arc::new(Mutex::new(std::io::BufWriter::new(std::fs::File::create(history_file).unwrap())));
    // The desks' way to the instances: direct, or through the proxy.
    let (desk_urls, _proxy) = match cut {
        Some(cut) => {
            let times: Vec<u64> =
                cut.strip_prefix("cut:").expect("cut:AT:FOR").split(':').map(|t| t.parse().unwrap()).collect();
            let (proxy, urls) = Proxy::start(&[url1, url2]);
            let fault = format!("{history_file}.fault");
            let switch = proxy.cut.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs(times[0]));
                switch.send_replace(true);
                let at = now_ms();
                std::thread::sleep(Duration::from_secs(times[1]));
                switch.send_replace(false);
                std::fs::write(fault, format!("{at}\n{}\ncut\n", now_ms())).unwrap();
            });
            (urls, Some(proxy))
        }
        None => ([url1.clone(), url2.clone()], None),
    };
    let (url1, url2) = (&desk_urls[0], &desk_urls[1]);
    let side_urls = [args[0].clone(), args[1].clone()];
    let data = tempfile::tempdir().unwrap();
    let (codes, taken) = mpsc::channel::<(usize, usize, String)>();
    let taken = Arc::new(Mutex::new(taken));

    let mut threads = Vec::new();
    for d in 0..desks {
        let (first, other) = if d % 2 == 0 { (url1, url2) } else { (url2, url1) };
        let config =
            mitid_remote::ServerConfig { url: first.clone(), fallback_urls: vec![other.clone()], ca: Some(ca.into()) };
        let dir = data.path().join(format!("desk-{d}"));
        let (history, codes) = (history.clone(), codes.clone());
        threads.push(std::thread::spawn(move || desk(d, &config, &dir, deadline, period, &history, &codes)));
    }
    drop(codes);
    let sent = Arc::new(AtomicUsize::new(0));
    for r in 0..desks {
        let side = side_client(ca, cert, key);
        let urls = side_urls.clone();
        let (history, taken, sent) = (history.clone(), taken.clone(), sent.clone());
        threads.push(std::thread::spawn(move || redeemer(r, &side, &urls, &history, &taken, &sent)));
    }
    for thread in threads {
        thread.join().unwrap();
    }
    history.lock().unwrap().flush().unwrap();
    eprintln!("{} entries of codes sent", sent.load(Ordering::Relaxed));
}

/// One desk: its callers, then search, issue, note, again and again; its
/// outbox delivered at the end.
fn desk(
    d: usize,
    config: &mitid_remote::ServerConfig,
    dir: &Path,
    deadline: Instant,
    period: Option<Duration>,
    history: &History,
    codes: &mpsc::Sender<(usize, usize, String)>,
) {
    let who = format!("desk-{d}");
    let mut desk = loop {
        match RemoteDesk::connect(config, &who, dir) {
            Ok(desk) => break desk,
            Err(e) if Instant::now() < deadline => {
                eprintln!("{who}: {e}");
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => panic!("{who} never connected: {e}"),
        }
    };
    let mut callers = Vec::new();
    for i in 0..CALLERS_PER_DESK {
        loop {
            match desk.add_caller(caller(d, i)) {
                Ok(id) => break callers.push(id),
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
                Err(e) => panic!("{who} could not add its callers: {e}"),
            }
        }
    }
    let status = desk.status();
    let mut away = false;
    let mut n = 0usize;
    let mut timings = Vec::new();
    let mut timed = |started: Instant| timings.push(micros(started));
    let failed = |e: &dyn std::fmt::Display| {
        let error: String = e.to_string().chars().take(100).collect();
        write(history, &Event::DeskError { who: who.clone(), at: now_ms(), error });
    };
    // Paced desks start spread over the first period.
    let mut next = Instant::now() + period.map_or(Duration::ZERO, |p| p.mul_f64((d as f64 * 0.618_034).fract()));
    while Instant::now() < deadline {
        if let Some(period) = period {
            std::thread::sleep(next.saturating_duration_since(Instant::now()));
            next += period;
            if Instant::now() >= deadline {
                break;
            }
        }
        let i = n % CALLERS_PER_DESK;
        let started = Instant::now();
        let found = desk.search(&format!("h{d}x{i}"), 10);
        timed(started);
        if let Err(e) = &found {
            failed(e);
        }
        if found.is_ok() {
            write(history, &Event::Search { who: who.clone(), at: now_ms() });
        }
        let unreachable = matches!(status.lock().unwrap().link, mitid_remote::Link::Unreachable(_));
        if unreachable && !away {
            write(history, &Event::Unreachable { who: who.clone(), at: now_ms() });
        }
        away = unreachable;
        if away {
            // An agent tries again now and then, not flat out.
            std::thread::sleep(Duration::from_millis(100));
        }
        let started = Instant::now();
        let issued = desk.issue_pcode(callers[i]);
        timed(started);
        if let Err(e) = &issued {
            failed(e);
        }
        if let Ok((code, info)) = issued {
            let code = code.digits().to_owned();
            write(
                history,
                &Event::Issue { who: who.clone(), at: now_ms(), reference: info.reference, code: code.clone() },
            );
            let _ = codes.send((d, i, code));
        }
        let outcome = format!("fault {who} n{n}");
        let note = NewContact { channel: Channel::Phone, outcome: outcome.clone(), note: String::new() };
        let started = Instant::now();
        let logged = desk.log_contact(callers[i], note);
        timed(started);
        if let Err(e) = &logged {
            failed(e);
        }
        if logged.is_ok() {
            write(history, &Event::Contact { who: who.clone(), at: now_ms(), outcome });
        }
        // Now and then a counter case: opened, a step, closed.
        if n.is_multiple_of(4) {
            let started = Instant::now();
            let opened = desk.open_case();
            timed(started);
            if let Err(e) = &opened {
                failed(e);
            }
            if let Ok(case) = opened {
                let detail = format!("fault {who} n{n}");
                let started = Instant::now();
                let recorded = desk.record_case_step(case, "mrz", "ok", &detail);
                timed(started);
                if let Err(e) = &recorded {
                    failed(e);
                }
                if recorded.is_ok() {
                    write(history, &Event::CaseStep { who: who.clone(), at: now_ms(), detail });
                }
                let started = Instant::now();
                let _ = desk.close_case(case, "handed_over");
                timed(started);
            }
        }
        n += 1;
    }
    write(history, &Event::Timings { who: who.clone(), us: timings });
    let until = Instant::now() + DELIVERY;
    while status.lock().unwrap().waiting > 0 && Instant::now() < until {
        desk.deliver();
        if status.lock().unwrap().waiting > 0 {
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    let waiting = status.lock().unwrap().waiting;
    write(history, &Event::Undelivered { who, waiting });
}

/// One MitID-side client: each code it takes entered once, by one attempt
/// id tried until it is answered, on either instance.
fn redeemer(
    r: usize,
    http: &reqwest::blocking::Client,
    urls: &[String; 2],
    history: &History,
    taken: &Mutex<mpsc::Receiver<(usize, usize, String)>>,
    sent: &AtomicUsize,
) {
    let who = format!("side-{r}");
    let mut at = r % 2;
    let mut seq = 0usize;
    let mut timings = Vec::new();
    loop {
        let Ok((d, i, code)) = taken.lock().unwrap().recv() else {
            write(history, &Event::Timings { who, us: timings });
            return;
        };
        let attempt = format!("f-{r}-{seq}");
        seq += 1;
        let body = serde_json::json!({"code": code, "attempt_id": attempt, "holder": holder(d, i)});
        let given_up = Instant::now() + PATIENCE;
        let mut tries = 0u32;
        loop {
            tries += 1;
            sent.fetch_add(1, Ordering::Relaxed);
            let started = Instant::now();
            let answer = http.post(format!("{}/v1/redemptions", urls[at])).json(&body).send();
            timings.push(micros(started));
            match answer {
                Ok(response) if response.status().is_success() => {
                    let answer: serde_json::Value = response.json().unwrap();
                    write(
                        history,
                        &Event::Redeem {
                            who: who.clone(),
                            at: now_ms(),
                            attempt,
                            result: answer["result"].as_str().unwrap_or("").to_owned(),
                            attempts_left: answer["attempts_left"].as_u64().unwrap_or(0) as u8,
                            tries,
                        },
                    );
                    break;
                }
                // A refusal of the request itself is an answer too: the
                // harness's mistake, shown in the check.
                Ok(response) if response.status().is_client_error() && response.status() != 429 => {
                    panic!("{who}: entry refused: {} {}", response.status(), response.text().unwrap_or_default())
                }
                // 503, 429, no connection, no answer: the same attempt
                // again, on the other instance when this one is gone.
                other => {
                    if let Ok(response) = &other
                        && response.status().is_server_error()
                    {
                        let retry_after = response.headers().contains_key(reqwest::header::RETRY_AFTER);
                        write(
                            history,
                            &Event::Failed { who: who.clone(), status: response.status().as_u16(), retry_after },
                        );
                    }
                    if other.as_ref().is_err_and(|e| e.is_connect()) {
                        at = 1 - at;
                    }
                    if Instant::now() > given_up {
                        write(history, &Event::Unanswered { who: who.clone(), attempt });
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
    }
}

fn side_client(ca: &str, cert: &str, key: &str) -> reqwest::blocking::Client {
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
    reqwest::blocking::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap()
}

fn check(args: &[String]) -> bool {
    let [history, conninfo, keyfile, url, ca, fault, name] = args else { unreachable!() };
    let events: Vec<Event> = std::io::BufReader::new(std::fs::File::open(history).unwrap())
        .lines()
        .map(|line| serde_json::from_str(&line.unwrap()).unwrap())
        .collect();
    let key = CodeKey::from_hex(std::fs::read_to_string(keyfile).unwrap().trim()).expect("the P-code key file");
    let (mut lost, mut doubled, mut acknowledged) = (0usize, 0usize, 0usize);
    let problem = |what: &str, n: usize| {
        if n > 0 {
            eprintln!("{what}: {n}");
        }
        n
    };

    let mut db = postgres_client(conninfo);
    // Codes shown: stored, as that code.
    let stored: HashMap<String, Vec<u8>> = db("SELECT reference, code_hash FROM pcode")
        .into_iter()
        .map(|row| (row.get::<_, String>(0), row.get::<_, Vec<u8>>(1)))
        .collect();
    let mut missing = 0;
    for event in &events {
        if let Event::Issue { reference, code, .. } = event {
            acknowledged += 1;
            let code: PCode = code.parse().expect("a code of 8 digits");
            if stored.get(reference).is_none_or(|hash| hash.as_slice() != key.hash(&code)) {
                missing += 1;
            }
        }
    }
    lost += problem("codes shown but not stored", missing);

    // Notes: each stored once.
    let notes: HashMap<String, i64> =
        db("SELECT outcome, count(*) FROM contact WHERE outcome LIKE 'fault %' GROUP BY outcome")
            .into_iter()
            .map(|row| (row.get::<_, String>(0), row.get::<_, i64>(1)))
            .collect();
    let mut acked_notes = HashSet::new();
    for event in &events {
        if let Event::Contact { outcome, .. } = event {
            acknowledged += 1;
            acked_notes.insert(outcome.clone());
        }
    }
    lost += problem("notes taken but not stored", acked_notes.iter().filter(|o| !notes.contains_key(*o)).count());
    doubled += problem("notes stored twice", notes.values().filter(|n| **n > 1).count());
    doubled += problem("notes stored that no desk took", notes.keys().filter(|o| !acked_notes.contains(*o)).count());

    // Case steps: each stored once.
    let steps: HashMap<String, i64> =
        db("SELECT detail, count(*) FROM enrollment_step WHERE detail LIKE 'fault %' GROUP BY detail")
            .into_iter()
            .map(|row| (row.get::<_, String>(0), row.get::<_, i64>(1)))
            .collect();
    let mut acked_steps = HashSet::new();
    for event in &events {
        if let Event::CaseStep { detail, .. } = event {
            acknowledged += 1;
            acked_steps.insert(detail.clone());
        }
    }
    lost +=
        problem("case steps recorded but not stored", acked_steps.iter().filter(|d| !steps.contains_key(*d)).count());
    doubled += problem("case steps stored twice", steps.values().filter(|n| **n > 1).count());
    doubled +=
        problem("case steps stored that no desk recorded", steps.keys().filter(|d| !acked_steps.contains(*d)).count());
    let undelivered: usize =
        events.iter().map(|e| if let Event::Undelivered { waiting, .. } = e { *waiting } else { 0 }).sum();
    lost += problem("notes and case records left in an outbox", undelivered);

    // Entries: each answered one counted once, with that answer; none
    // counted that no client sent.
    let counted: HashMap<String, (String, i16)> =
        db("SELECT attempt_id, coalesce(result, ''), attempts_left FROM redemption WHERE attempt_id LIKE 'f-%'")
            .into_iter()
            .map(|row| (row.get::<_, String>(0), (row.get::<_, String>(1), row.get::<_, i16>(2))))
            .collect();
    let mut answered = HashSet::new();
    let mut wrong = 0;
    for event in &events {
        match event {
            Event::Redeem { attempt, result, attempts_left, .. } => {
                acknowledged += 1;
                answered.insert(attempt.clone());
                if counted.get(attempt) != Some(&(result.clone(), i16::from(*attempts_left))) {
                    wrong += 1;
                }
            }
            Event::Unanswered { attempt, .. } => {
                eprintln!("entry {attempt} never answered");
                lost += 1;
            }
            _ => {}
        }
    }
    lost += problem("entries answered but not counted as answered", wrong);
    doubled +=
        problem("entries counted that no client sent", counted.keys().filter(|a| !answered.contains(*a)).count());
    let overspent = db("SELECT count(*) FROM pcode p WHERE 3 - p.attempts_left > \
         (SELECT count(*) FROM redemption r WHERE r.pcode_id = p.id)")[0]
        .get::<_, i64>(0);
    doubled += problem("codes with more uses spent than entries counted", overspent as usize);

    // The audit log: an entry for every code and note, and a chain that
    // verifies as a desk checks it.
    let unaudited = db("SELECT (SELECT count(*) FROM pcode) - \
         (SELECT count(*) FROM audit WHERE action = 'pcode.issue' AND verdict NOT LIKE 'refused%'), \
         (SELECT count(*) FROM contact) - (SELECT count(*) FROM audit WHERE action = 'contact.log') \
         + (SELECT count(*) FROM enrollment_step) - (SELECT count(*) FROM audit WHERE action = 'enrollment.mrz')")
    .into_iter()
    .map(|row| row.get::<_, i64>(0).max(0) + row.get::<_, i64>(1).max(0))
    .sum::<i64>();
    lost += problem("changes without their audit entry", unaudited as usize);
    let config = mitid_remote::ServerConfig { url: url.clone(), fallback_urls: Vec::new(), ca: Some(ca.into()) };
    let dir = tempfile::tempdir().unwrap();
    let report = RemoteDesk::connect(&config, "checker", dir.path()).unwrap().verify_audit().unwrap();
    let chain_ok = report.problem.is_none();
    if let Some(problem) = &report.problem {
        eprintln!("the audit chain does not verify: {problem:?}");
    }

    // The service's own failures: only 503 with Retry-After (the database
    // away), never a 500.
    let (mut unavailable, mut broken) = (0usize, 0usize);
    for event in &events {
        if let Event::Failed { status, retry_after, .. } = event {
            if *status == 503 && *retry_after {
                unavailable += 1;
            } else {
                broken += 1;
            }
        }
    }
    eprintln!("503 with Retry-After: {unavailable}; other server errors: {broken}");
    let mut told: HashMap<&str, usize> = HashMap::new();
    for event in &events {
        if let Event::DeskError { error, .. } = event {
            *told.entry(error.as_str()).or_default() += 1;
        }
    }
    let mut told: Vec<_> = told.into_iter().collect();
    told.sort_by_key(|t| std::cmp::Reverse(t.1));
    for (error, n) in told.iter().take(5) {
        eprintln!("desks told {n} times: {error}");
    }

    // Recovery: from the fault put right until every desk was answered again.
    let times: Vec<u64> =
        std::fs::read_to_string(fault).unwrap().lines().take(2).map(|l| l.trim().parse().unwrap()).collect();
    let restored = times[1];
    eprintln!("the fault lasted {} ms (until put right)", restored.saturating_sub(times[0]));
    let kind = std::fs::read_to_string(fault).unwrap().lines().nth(2).unwrap_or("").to_owned();
    let mut cut_problems = 0usize;
    // The slowest answer anyone had; with a slow database, held against
    // the service's request deadline (and a second for the way there).
    let mut timings: Vec<u32> = events
        .iter()
        .flat_map(|e| if let Event::Timings { us, .. } = e { us.as_slice() } else { &[] })
        .copied()
        .collect();
    timings.sort_unstable();
    let at = |q: f64| timings.get(((timings.len() as f64 * q) as usize).min(timings.len().saturating_sub(1)));
    let ms = |us: Option<&u32>| f64::from(us.copied().unwrap_or(0)) / 1000.0;
    let slowest = ms(timings.last()) as u64;
    println!(
        "requests {} p50 {:.1} ms p99 {:.1} ms slowest {:.1} ms",
        timings.len(),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(timings.last())
    );
    if let Some(deadline) = kind.strip_prefix("slow ") {
        let deadline: u64 = deadline.parse().expect("slow MS");
        // A desk's change that met the deadline waits in its outbox and is
        // delivered first by the desk's next one: an operation may wait
        // for two requests, each cut off at the deadline (each request's
        // own time is checked from the instances' log by faults.sh).
        cut_problems += problem(
            "desk operations slower than two deadlines (ms over)",
            slowest.saturating_sub(2 * deadline + 1000) as usize,
        );
    }
    if kind == "none" {
        cut_problems += problem("answers of the service's failure in a run with no fault", unavailable);
    }
    if kind == "cut" {
        let shown =
            events.iter().filter(|e| matches!(e, Event::Issue { at, .. } if *at > times[0] && *at < restored)).count();
        cut_problems += problem("codes shown while the desks could not reach the service", shown);
        let mut told = HashSet::new();
        let mut all = HashSet::new();
        for event in &events {
            match event {
                Event::Unreachable { who, at } if *at >= times[0] => {
                    told.insert(who.clone());
                }
                Event::Undelivered { who, .. } => {
                    all.insert(who.clone());
                }
                _ => {}
            }
        }
        cut_problems += problem("desks that never said the service was unreachable", all.difference(&told).count());
    }
    let mut first_after: HashMap<&str, u64> = HashMap::new();
    let mut desks = HashSet::new();
    for event in &events {
        let (who, at) = match event {
            Event::Issue { who, at, .. } | Event::Contact { who, at, .. } | Event::Search { who, at } => (who, *at),
            _ => continue,
        };
        desks.insert(who.as_str());
        if at >= restored {
            first_after.entry(who).and_modify(|t| *t = (*t).min(at)).or_insert(at);
        }
    }
    let recovery = if kind == "none" {
        // No fault, nothing to recover from (a paced desk's first call may
        // come a whole period in); that every desk was served is checked.
        if first_after.len() == desks.len() && !desks.is_empty() { 0 } else { -1 }
    } else if first_after.len() == desks.len() && !desks.is_empty() {
        first_after.values().map(|t| t - restored).max().unwrap_or(0) as i64
    } else {
        eprintln!("{} of {} desks were never answered after the fault", desks.len() - first_after.len(), desks.len());
        -1
    };
    println!("fault {name} acknowledged {acknowledged} lost {lost} doubled {doubled} recovery_ms {recovery}");
    lost == 0 && doubled == 0 && chain_ok && recovery >= 0 && broken == 0 && cut_problems == 0
}

/// `verify`: the service verifies its chain and a desk whose data folder is
/// DESK_DIR holds it against the checkpoint it remembers from before (and
/// remembers the new one), as `mitid-assist audit verify` does.
fn verify(args: &[String]) -> bool {
    let [url, ca, dir] = args else { unreachable!() };
    std::fs::create_dir_all(dir).unwrap();
    let config = mitid_remote::ServerConfig { url: url.clone(), fallback_urls: Vec::new(), ca: Some(ca.into()) };
    let desk = RemoteDesk::connect(&config, "checker", Path::new(dir)).expect("the service");
    let report = desk.verify_audit().expect("an answer to verify");
    match report.problem {
        None => {
            println!("the audit chain verifies: {} entries", report.entries);
            true
        }
        Some(problem) => {
            println!("the audit chain does not verify: {problem:?}");
            false
        }
    }
}

/// Microseconds since `started`, as the timings keep them.
fn micros(started: Instant) -> u32 {
    u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX)
}

/// A blocking way to ask the site's database (its own small runtime).
fn postgres_client(conninfo: &str) -> impl FnMut(&str) -> Vec<tokio_postgres::Row> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (client, connection) = runtime.block_on(tokio_postgres::connect(conninfo, tokio_postgres::NoTls)).unwrap();
    runtime.spawn(connection);
    move |sql| runtime.block_on(client.query(sql, &[])).unwrap()
}

/// A loopback TCP proxy in front of each instance, which can cut every
/// connection and refuse new ones (the network between the desks and the
/// service gone).
struct Proxy {
    cut: Arc<tokio::sync::watch::Sender<bool>>,
    _runtime: tokio::runtime::Runtime,
}

impl Proxy {
    /// Proxies for `urls` (`https://127.0.0.1:PORT`); their own URLs.
    fn start(urls: &[&String; 2]) -> (Self, [String; 2]) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let cut = Arc::new(tokio::sync::watch::Sender::new(false));
        let mut own = Vec::new();
        for url in urls {
            let target = url.strip_prefix("https://").unwrap().to_owned();
            let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
            own.push(format!("https://{}", listener.local_addr().unwrap()));
            let cut = cut.clone();
            runtime.spawn(async move {
                loop {
                    let Ok((inbound, _)) = listener.accept().await else { continue };
                    if *cut.borrow() {
                        drop(inbound);
                        continue;
                    }
                    let (target, mut cut) = (target.clone(), cut.subscribe());
                    tokio::spawn(async move {
                        let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await else { return };
                        let mut inbound = inbound;
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                            _ = cut.wait_for(|cut| *cut) => {}
                        }
                    });
                }
            });
        }
        let [a, b] = <[String; 2]>::try_from(own).unwrap();
        (Self { cut, _runtime: runtime }, [a, b])
    }
}
