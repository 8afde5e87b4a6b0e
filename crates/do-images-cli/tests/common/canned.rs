//! A tiny HTTP server on 127.0.0.1 that answers every request with what a
//! test chooses: for answers the sandbox never gives (an import answer
//! without an id, an error message or a status full of control
//! characters), and to see the request heads doimg sends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// What the server answers: a status and a JSON body.
pub type Answer = (u16, String);

/// A running canned server; it stops with the test process.
pub struct CannedServer {
    base_url: String,
    heads: Arc<Mutex<Vec<String>>>,
}

impl CannedServer {
    /// Serves `answer(method_and_path)` to every request, one thread per
    /// connection, each connection closed after its answer.
    pub fn start(answer: impl Fn(&str) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let base_url = format!("http://{}", listener.local_addr().expect("an address"));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let answer = Arc::new(answer);
        let seen = Arc::clone(&heads);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let answer = Arc::clone(&answer);
                let seen = Arc::clone(&seen);
                std::thread::spawn(move || serve(stream, &*answer, &seen));
            }
        });
        Self { base_url, heads }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The head (request line and headers) of every request so far.
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().expect("the heads").clone()
    }
}

fn serve(stream: TcpStream, answer: &dyn Fn(&str) -> Answer, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let request_line = head.lines().next().unwrap_or_default().to_string();
    seen.lock().expect("the heads").push(head);
    let (status, body) = answer(&request_line);
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} Canned\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}
