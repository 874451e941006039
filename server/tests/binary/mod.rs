//! The real `hocso` binary as a process: started with `serve --port 0`, its address read from what
//! it prints, stopped with SIGTERM as systemd stops it. Shared by the tests of deployment (TLS,
//! backups, the embedded app, health and metrics).
#![allow(dead_code)]
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub struct Hocso {
    child: Option<Child>,
    /// Where it serves the app (HTTP or HTTPS).
    pub addr: SocketAddr,
    /// Its plain-HTTP redirecting listener (`--redirect-http-from`).
    pub redirect: Option<SocketAddr>,
    /// What it printed while starting.
    pub started: Vec<String>,
    lines: mpsc::Receiver<String>,
}

/// The address in a line such as `HocSo is running at https://127.0.0.1:4431/  (Ctrl-C to stop)`.
fn address_in(line: &str) -> Option<SocketAddr> {
    let url = line.split_whitespace().find(|w| w.starts_with("http://") || w.starts_with("https://"))?;
    url.split("://").nth(1)?.trim_end_matches('/').parse().ok()
}

pub fn hocso() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hocso"))
}

impl Hocso {
    /// `hocso serve --addr 127.0.0.1 --port 0 <args>`, run in `cwd`, once it says it is running.
    pub fn serve(cwd: &std::path::Path, args: &[&str]) -> Hocso {
        let mut child = hocso()
            .args(["serve", "--addr", "127.0.0.1", "--port", "0"])
            .args(args)
            .current_dir(cwd)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the hocso binary runs");
        let (send, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        let wants_redirect = args.contains(&"--redirect-http-from");
        let (mut addr, mut redirect, mut started) = (None, None, Vec::new());
        while addr.is_none() || (wants_redirect && redirect.is_none()) {
            match lines.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => {
                    if line.contains("is running at") {
                        addr = address_in(&line);
                    } else if line.contains("redirects to HTTPS") {
                        redirect = address_in(&line);
                    }
                    started.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    let mut stderr = String::new();
                    let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
                    panic!("hocso serve did not start: {stderr}");
                }
            }
        }
        Hocso { child: Some(child), addr: addr.unwrap(), redirect, started, lines }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// SIGTERM, then its exit status and what it printed to stderr, within `limit`.
    pub fn terminate(mut self, limit: Duration) -> (ExitStatus, String) {
        let mut child = self.child.take().unwrap();
        let sent = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        assert!(sent.success());
        let start = std::time::Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                let mut stderr = String::new();
                let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
                return (status, stderr);
            }
            if start.elapsed() > limit {
                let _ = child.kill();
                panic!("hocso did not stop within {limit:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The lines printed to stdout since it started (after the start-up lines).
    pub fn printed(&self) -> Vec<String> {
        self.lines.try_iter().collect()
    }
}

impl Drop for Hocso {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs `hocso <args>` to the end: (success, stdout, stderr).
pub fn run(cwd: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let output = hocso().args(args).current_dir(cwd).output().expect("the hocso binary runs");
    (output.status.success(), String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// A minimal built app in `dir/dist`.
pub fn write_dist(dir: &std::path::Path) -> std::path::PathBuf {
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), INDEX).unwrap();
    std::fs::write(dist.join("sw.js"), "self.addEventListener('fetch', () => {});").unwrap();
    dist
}

pub const INDEX: &str = "<!DOCTYPE html><html lang=\"vi\"><body>Học Số shell</body></html>";
