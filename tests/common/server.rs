//! `olke serve` as a process on a free port, for the tests that talk to it as its clients
//! do (a browser, a harvester, a IIIF validator).

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use super::olke;

/// `olke serve` on a free port, stopped when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    pub port: u16,
}

impl Server {
    /// The server over `archive`, with `staff_token` if given, once it answers; and how
    /// long that took.
    pub fn start(archive: &Path, staff_token: Option<&str>) -> (Server, Duration) {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let started = Instant::now();
        let mut command = olke(archive);
        command.args(["serve", "--bind", &format!("127.0.0.1:{port}")]).stdout(Stdio::null()).stderr(Stdio::null());
        if let Some(token) = staff_token {
            command.env("OLKE_STAFF_TOKEN", token);
        }
        let child = command.spawn().unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let mut server = Server { child, url, port };
        for _ in 0..500 {
            if let Some(answer) = http_get(port, "/") {
                assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
                return (server, started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let _ = server.child.kill();
        panic!("olke serve did not answer");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The whole answer (status line, headers, body) to a GET of `path`; `None` when nothing
/// listens.
pub fn http_get(port: u16, path: &str) -> Option<String> {
    http_get_bytes(port, path).map(|answer| String::from_utf8_lossy(&answer).into_owned())
}

/// The same, as bytes (for images).
pub fn http_get_bytes(port: u16, path: &str) -> Option<Vec<u8>> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok()?;
    Some(answer)
}
