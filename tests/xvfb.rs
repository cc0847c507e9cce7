//! End to end: the real binary in a real X server (Xvfb), driven with
//! xdotool, photographed with ImageMagick's `import`. packaging/test.sh
//! installs all three. Every wait is for an event (a log line, a window, a
//! process exit) with a deadline, never a fixed sleep.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_mitid-assist");
/// Generous: a loaded 2-core CI machine starting a debug build.
const PATIENCE: Duration = Duration::from_secs(60);

/// A child process that is ended when dropped.
struct Proc(Option<Child>);

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn need(tool: &str) {
    let found =
        Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().is_ok_and(|o| o.status.success());
    assert!(found, "{tool} is not installed: packaging/test.sh installs it (apt: xvfb xdotool imagemagick)");
}

/// An X server on a free display; returns it and its DISPLAY.
fn xvfb() -> (Proc, String) {
    for tool in ["Xvfb", "xdotool", "import"] {
        need(tool);
    }
    let mut child = Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb starts");
    // Xvfb writes the display number it chose once it accepts connections.
    let mut line = String::new();
    let stdout = child.stdout.take().expect("piped");
    BufReader::new(stdout).read_line(&mut line).expect("Xvfb reports its display");
    let display = format!(":{}", line.trim());
    assert!(line.trim().parse::<u32>().is_ok(), "Xvfb said {line:?}");
    (Proc(Some(child)), display)
}

/// The app, with its stderr delivered line by line.
fn start_app(display: &str, data: &Path, args: &[&str]) -> (Proc, Receiver<String>) {
    start_app_with(display, data, args, &[])
}

/// The app with more in its environment.
fn start_app_with(
    display: &str,
    data: &Path,
    args: &[&str],
    env: &[(&str, &std::ffi::OsStr)],
) -> (Proc, Receiver<String>) {
    let mut child = Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .arg("--config")
        .arg(data.join("absent-config.toml"))
        .env("DISPLAY", display)
        .env_remove("WAYLAND_DISPLAY")
        .env("MITID_ASSIST_LOG", "mitid_assist=info")
        .env("LANG", "en_US.UTF-8")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the app starts");
    let lines = forward_lines(child.stderr.take().expect("piped"));
    (Proc(Some(child)), lines)
}

fn forward_lines(stderr: ChildStderr) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for a log line containing `needle`; returns it.
fn expect_line(lines: &Receiver<String>, needle: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(line) => seen.push(line),
            Err(e) => panic!("no log line with «{needle}» ({e:?}); the app said:\n{}", seen.join("\n")),
        }
    }
}

fn xdotool(display: &str, args: &[&str]) -> String {
    let out = Command::new("timeout")
        .arg(PATIENCE.as_secs().to_string())
        .arg("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .output()
        .expect("xdotool runs");
    assert!(out.status.success(), "xdotool {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The id of the window whose title matches `pattern`, once it is mapped.
/// (xdotool's patterns are ASCII-only: "—" would never match.)
fn window(display: &str, pattern: &str) -> String {
    let ids = xdotool(display, &["search", "--sync", "--onlyvisible", "--name", pattern]);
    ids.lines().next().expect("a window").trim().to_owned()
}

fn wait_exit(mut app: Proc) -> ExitStatus {
    let (tx, rx) = mpsc::channel();
    let mut child = app.0.take().expect("running");
    thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    rx.recv_timeout(PATIENCE).expect("the app stops").expect("wait works")
}

fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("artifacts");
    std::fs::create_dir_all(&dir).expect("artifact folder");
    dir
}

/// Takes a screenshot of the whole screen and returns its distinct colours.
fn screenshot(display: &str, path: &Path) -> usize {
    let status = Command::new("import")
        .args(["-window", "root"])
        .arg(path)
        .env("DISPLAY", display)
        .status()
        .expect("import runs");
    assert!(status.success());
    eprintln!("screenshot saved: {}", path.display());
    let mut bytes = Vec::new();
    std::fs::File::open(path).expect("png").read_to_end(&mut bytes).expect("read png");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buffer = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buffer).expect("a frame");
    assert_eq!((info.width, info.height), (1280, 800));
    let channels = info.line_size / info.width as usize;
    let mut colours: Vec<&[u8]> = buffer[..info.buffer_size()].chunks(channels).collect();
    colours.sort_unstable();
    colours.dedup();
    colours.len()
}

#[test]
fn demo_window_opens_and_its_status_flips_at_closing_time() {
    let (_x, display) = xvfb();
    let data = tempfile::tempdir().unwrap();
    // Friday, three seconds before MitID Support closes for the weekend.
    let (app, lines) =
        start_app(&display, data.path(), &["--demo", "--no-panel", "--clock", "2026-11-27T19:59:57+01:00"]);
    let first = expect_line(&lines, "first frame");
    eprintln!("{first}");
    window(&display, "^MitID Assist .+ DEMO$");
    let colours = screenshot(&display, &artifacts().join("xvfb-demo.png"));
    // Text with anti-aliasing, the banner, buttons: far more than a blank window.
    assert!(colours > 50, "only {colours} colours on screen: nothing drawn?");
    // No user action: the status changes at 20:00 by itself.
    expect_line(&lines, "support status: closed");
    let id = window(&display, "^MitID Assist .+ DEMO$");
    xdotool(&display, &["windowfocus", "--sync", &id]);
    xdotool(&display, &["key", "ctrl+q"]);
    assert!(wait_exit(app).success());
    assert!(data.path().join("state.toml").exists(), "demo data stays in its own data dir");
}

#[test]
fn the_trainers_panel_opens_in_demo_mode_and_a_letter_on_it_makes_a_fault_happen() {
    let (_x, display) = xvfb();
    let data = tempfile::tempdir().unwrap();
    let (app, lines) = start_app(&display, data.path(), &["--demo", "--lesson", "late-call"]);
    let ready = expect_line(&lines, "first lesson ready");
    eprintln!("{ready}");
    assert!(ready.contains("late-call"), "{ready}");
    let panel = window(&display, "^Trainer's panel");
    let main = window(&display, "^MitID Assist .+ DEMO$");
    assert_ne!(panel, main, "the panel is a window of its own");
    let colours = screenshot(&display, &artifacts().join("xvfb-trainer-panel.png"));
    assert!(colours > 50, "only {colours} colours on screen: nothing drawn?");
    // At 19:58 Support is open; H on the panel closes it, now.
    xdotool(&display, &["windowfocus", "--sync", &panel]);
    xdotool(&display, &["key", "h"]);
    expect_line(&lines, "demo fault fault=\"support-closes\"");
    expect_line(&lines, "support status: closed");
    // The panel closes alone; the agent's window stays until Ctrl+Q.
    xdotool(&display, &["windowclose", &panel]);
    xdotool(&display, &["windowfocus", "--sync", &main]);
    xdotool(&display, &["key", "ctrl+q"]);
    assert!(wait_exit(app).success());
}

#[test]
fn window_size_place_and_language_are_remembered() {
    let (_x, display) = xvfb();
    let data = tempfile::tempdir().unwrap();
    let (app, lines) = start_app(&display, data.path(), &[]);
    expect_line(&lines, "first frame");
    let id = window(&display, "^MitID Assist$");
    xdotool(&display, &["windowsize", "--sync", &id, "900", "640"]);
    xdotool(&display, &["windowmove", "--sync", &id, "50", "60"]);
    xdotool(&display, &["windowfocus", "--sync", &id]);
    // Keyboard only: Tab past the four screens to the language switch, Enter.
    xdotool(&display, &["key", "Tab", "Tab", "Tab", "Tab", "Tab", "Return"]);
    expect_line(&lines, "language switched");
    xdotool(&display, &["key", "ctrl+q"]);
    assert!(wait_exit(app).success());
    let state = std::fs::read_to_string(data.path().join("state.toml")).expect("state written");
    assert!(state.contains("language = \"da\""), "{state}");

    let (_app, lines) = start_app(&display, data.path(), &[]);
    expect_line(&lines, "first frame");
    let id = window(&display, "^MitID Assist$");
    let geometry = xdotool(&display, &["getwindowgeometry", &id]);
    assert!(geometry.contains("Position: 50,60"), "{geometry}");
    assert!(geometry.contains("Geometry: 900x640"), "{geometry}");
    screenshot(&display, &artifacts().join("xvfb-danish.png"));
}

/// Reads the demo passport after `enter` has put its data in by keyboard
/// (counted in `keystrokes`); reports the figure and returns the app.
fn read_demo_passport(how: &str, enter: impl FnOnce(&str, &Receiver<String>) -> usize) {
    let (_x, display) = xvfb();
    let data = tempfile::tempdir().unwrap();
    let (app, lines) = start_app(&display, data.path(), &["--demo", "--no-panel"]);
    expect_line(&lines, "first frame");
    let id = window(&display, "^MitID Assist");
    xdotool(&display, &["windowfocus", "--sync", &id]);
    let citizen = how == "typed MRZ";
    if citizen {
        // The citizen's window: Tab past the four screens, the language and
        // the theme to "Citizen screen", Enter; it opens in English. The
        // next button picks the citizen's language: Danish, then German —
        // the title follows.
        xdotool(&display, &["key", "Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "Return"]);
        expect_line(&lines, "citizen window opened");
        let citizen = window(&display, "your screen$");
        xdotool(&display, &["windowmove", "--sync", &citizen, "600", "0"]);
        xdotool(&display, &["windowfocus", "--sync", &id]);
        xdotool(&display, &["key", "Tab", "Return", "Return"]);
        window(&display, "Ihr Bildschirm$");
        // The keyboard leaves the header for the screen's first field.
        xdotool(&display, &["key", "Escape"]);
    }
    let started = Instant::now();
    // Ctrl+2: counter enrollment, the keyboard in its first field.
    xdotool(&display, &["key", "ctrl+2"]);
    expect_line(&lines, "screen shown");
    let mut keystrokes = 1 + enter(&display, &lines);
    // On the chip step the keyboard is on "Read the chip": Enter.
    expect_line(&lines, "readers found");
    xdotool(&display, &["key", "Return"]);
    keystrokes += 1;
    let done = expect_line(&lines, "chip read finished");
    assert!(done.contains("genuine"), "{done}");
    // The result is on screen, and the window kept drawing during the read.
    let drawn = expect_line(&lines, "chip result drawn");
    eprintln!("{drawn}");
    eprintln!(
        "new case to verdict, {how}: {keystrokes} keystrokes, {:.1} s (xdotool typing included)",
        started.elapsed().as_secs_f64()
    );
    let colours = screenshot(&display, &artifacts().join(format!("xvfb-chip-demo-{}.png", how.replace(' ', "-"))));
    assert!(colours > 10, "the result is drawn ({colours} colours)");
    if how != "typed MRZ" {
        return;
    }
    // On to the face step (Tab from "Read the chip" past "Look for readers
    // again", Back and Start over to "Continue to face capture"): the demo
    // camera runs, the picture is taken by itself and compared.
    xdotool(&display, &["key", "Tab", "Tab", "Tab", "Tab", "Return"]);
    expect_line(&lines, "camera frames arriving");
    if citizen {
        // The live picture and what to do, on the citizen's screen too.
        expect_line(&lines, "camera preview running");
        screenshot(&display, &artifacts().join("xvfb-citizen-camera.png"));
    }
    let rate = expect_line(&lines, "camera frames while analysing");
    eprintln!("{rate}");
    let fps: f64 = rate.split("fps=").nth(1).and_then(|r| r.split_whitespace().next()).unwrap().parse().unwrap();
    assert!(fps > 5.0, "the live picture kept coming: {rate}");
    let compared = expect_line(&lines, "face compared");
    assert!(compared.contains("band=\"strong\"") || compared.contains("band=strong"), "{compared}");
    screenshot(&display, &artifacts().join("xvfb-face-demo.png"));
    // Memory with both windows open, the models loaded and a case on screen.
    let pid = app.0.as_ref().unwrap().id();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb = |key: &str| -> u64 {
        let line = status.lines().find(|l| l.starts_with(key)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    let (rss, peak) = (kb("VmRSS:"), kb("VmHWM:"));
    eprintln!("memory with both windows: RSS {} MB, peak {} MB", rss / 1024, peak / 1024);
    assert!(rss > 0 && peak >= rss);
}

#[test]
fn demo_counter_reads_the_simulated_chip_with_typed_fields() {
    read_demo_passport("typed MRZ", |display, _| {
        // The number, Enter; then the dates as digits, each part moving on
        // by itself (1974 08 12, 2034 04 15); Enter on "Read the chip".
        xdotool(display, &["type", "--delay", "30", "L898902C3"]);
        xdotool(display, &["key", "Return"]);
        xdotool(display, &["type", "--delay", "30", "1974081220340415"]);
        xdotool(display, &["key", "Return"]);
        9 + 1 + 16 + 1
    });
}

#[test]
fn demo_counter_reads_the_simulated_chip_with_swiped_lines() {
    read_demo_passport("swiped MRZ", |display, _| {
        // Tab to "Swipe or paste the MRZ" past the header's eight buttons and
        // "Type the fields", Enter: the lines field has the keyboard. The
        // swipe reader types both lines and Enter; once they check out,
        // Enter goes on to the chip.
        let tabs = vec!["Tab"; 10];
        let mut keys = vec!["key"];
        keys.extend(&tabs);
        keys.push("Return");
        xdotool(display, &keys);
        // A swipe reader is a keyboard: each line, then Return.
        for line in &mitid_emrtd::sim::document::specimen_mrz().lines {
            xdotool(display, &["type", "--delay", "5", line]);
            xdotool(display, &["key", "Return"]);
        }
        // The agent's keys: 10 Tabs and Enter; the reader's are not counted.
        10 + 1
    });
}

/// A program of ours in the background, its stderr (or stdout) as lines.
fn background(command: &mut Command, stdout: bool) -> (Proc, Receiver<String>) {
    let mut child = if stdout {
        command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap()
    } else {
        command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap()
    };
    let (tx, rx) = mpsc::channel();
    let stream: Box<dyn Read + Send> =
        if stdout { Box::new(child.stdout.take().unwrap()) } else { Box::new(child.stderr.take().unwrap()) };
    thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (Proc(Some(child)), rx)
}

/// Outside demo mode, end to end on real parts without hardware: the
/// chip through pcscd and vpcd (our simulated chip carrying person A's
/// photo), the webcam through nokhwa and V4L2 (a user-space device showing
/// person A, tests/support/fake_v4l.c); the agent types the CAN, the
/// placed document is read, the face step's webcam picture is taken by
/// itself and compared: strong.
#[test]
fn outside_demo_mode_the_chip_and_the_webcam_go_through_pcscd_and_v4l2() {
    let Some(_) = common::face_models() else { return };
    need("pcscd");
    let (_x, display) = xvfb();
    let data = tempfile::tempdir().unwrap();
    // The fake webcam, and person A as it shows them.
    let shim = common::fake_camera();
    let person = image::load_from_memory(include_bytes!("../assets/demo/camera-person-a.jpg")).unwrap().to_rgb8();
    assert_eq!(person.dimensions(), (640, 480));
    let picture = data.path().join("person-a.yuyv");
    let rgb = mitid_face::Rgb { width: 640, height: 480, pixels: person.into_raw() };
    std::fs::write(&picture, mitid_camera::convert::to_yuyv(&rgb)).unwrap();

    // pcscd (ours, in the foreground) and the chip on its virtual reader.
    let (_pcscd, pcscd) = background(Command::new("pcscd").args(["--foreground", "--debug"]), true);
    if expect_within(&pcscd, "daemon ready").is_none() {
        eprintln!("pcscd did not start (another one may be running): using the running one");
    }
    let face =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
            .join("assets/demo/chip-person-a.jpg");
    let (_sim, sim) = background(
        Command::new(BIN).args(["chip", "sim", "--vpcd", "127.0.0.1:35963", "--can", "123456", "--face"]).arg(&face),
        false,
    );
    expect_line(&sim, "simulated chip ready");

    let (_app, lines) = start_app_with(
        &display,
        data.path(),
        &[],
        &[("LD_PRELOAD", shim.as_os_str()), ("FAKE_V4L_PICTURE", picture.as_os_str())],
    );
    expect_line(&lines, "first frame");
    let id = window(&display, "^MitID Assist$");
    xdotool(&display, &["windowfocus", "--sync", &id]);
    // Ctrl+2; Tab past the header's eight buttons, "Type the fields" and
    // "Swipe or paste" to "ID card number (CAN)", Enter; the CAN, Enter.
    xdotool(&display, &["key", "ctrl+2"]);
    expect_line(&lines, "screen shown");
    let mut keys = vec!["key"];
    keys.extend(["Tab"; 11]);
    keys.push("Return");
    xdotool(&display, &keys);
    xdotool(&display, &["type", "--delay", "30", "123456"]);
    xdotool(&display, &["key", "Return"]);
    // The document lies on the reader: read at once.
    let done = expect_line(&lines, "chip read finished");
    eprintln!("{done}");
    expect_line(&lines, "chip result drawn");
    xdotool(&display, &["key", "Tab", "Tab", "Tab", "Tab", "Return"]);
    let opened = expect_line(&lines, "camera opened");
    assert!(opened.contains("width=640") && opened.contains("height=480") && opened.contains("fps=30"), "{opened}");
    expect_line(&lines, "camera preview running");
    screenshot(&display, &artifacts().join("xvfb-webcam-v4l2.png"));
    let rate = expect_line(&lines, "camera frames while analysing");
    eprintln!("webcam through V4L2: {rate}");
    let compared = expect_line(&lines, "face compared");
    assert!(compared.contains("band=\"strong\"") || compared.contains("band=strong"), "{compared}");
}

/// Waits a little for a line containing `needle`.
fn expect_within(lines: &Receiver<String>, needle: &str) -> Option<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return Some(line),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}
