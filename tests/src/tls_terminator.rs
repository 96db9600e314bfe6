//! A deployment's own TLS terminator in front of the app: Debian's nginx on its own port, with
//! a server certificate from a test CA, asking each client for its certificate and handing it
//! to Abdi URL-escaped in a header (`$ssl_client_escaped_cert`), as a deployment that offers
//! mutual TLS to client systems configures it. Certificates are made with openssl.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The header nginx fills with the client's certificate (and overwrites if a client sent it).
pub const CERT_HEADER: &str = "x-client-cert";

pub struct TlsTerminator {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

/// A client certificate: its PEM, and the PEM of the certificate and key together (what
/// `reqwest::Identity::from_pem` reads).
pub struct ClientCertificate {
    pub certificate_pem: String,
    pub identity_pem: Vec<u8>,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl is not installed (Debian openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl TlsTerminator {
    /// nginx on a free port, passing every request to the app on `app_port`.
    pub fn start(app_port: u16) -> TlsTerminator {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let d = dir.path();
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=Abdi test CA",
            ],
        );
        openssl(
            d,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ],
        );
        std::fs::write(
            d.join("server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .unwrap();
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.pem",
                "-days",
                "2",
                "-extfile",
                "server.ext",
            ],
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let p = |name: &str| d.join(name).display().to_string();
        let conf = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {pid};\n\
             error_log {log} warn;\nevents {{ worker_connections 64; }}\nhttp {{\n\
             access_log off;\nclient_body_temp_path {tmp}/body;\nproxy_temp_path {tmp}/proxy;\n\
             fastcgi_temp_path {tmp}/fastcgi;\nuwsgi_temp_path {tmp}/uwsgi;\n\
             scgi_temp_path {tmp}/scgi;\nserver {{\n\
             listen 127.0.0.1:{port} ssl;\nssl_certificate {cert};\nssl_certificate_key {key};\n\
             ssl_verify_client optional_no_ca;\n\
             location / {{\nproxy_pass http://127.0.0.1:{app_port};\n\
             proxy_set_header X-Forwarded-For $remote_addr;\n\
             proxy_set_header {CERT_HEADER} $ssl_client_escaped_cert;\n}}\n}}\n}}\n",
            pid = p("nginx.pid"),
            log = p("error.log"),
            tmp = d.display(),
            cert = p("server.pem"),
            key = p("server.key"),
        );
        std::fs::write(d.join("nginx.conf"), conf).unwrap();
        let child = Command::new(nginx())
            .arg("-p")
            .arg(d)
            .arg("-c")
            .arg(d.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx is not installed: scripts/test installs it (Debian nginx)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not listen within 10 s: {}",
                std::fs::read_to_string(d.join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        TlsTerminator { port, dir, child }
    }

    /// The CA that signed the terminator's own certificate (for the client to trust).
    pub fn ca_pem(&self) -> Vec<u8> {
        std::fs::read(self.dir.path().join("ca.pem")).unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.port)
    }

    /// A self-signed client certificate named `cn`, as an agency makes its own.
    pub fn client_certificate(&self, cn: &str) -> ClientCertificate {
        let d = self.dir.path();
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                &format!("{cn}.key"),
                "-out",
                &format!("{cn}.pem"),
                "-days",
                "2",
                "-subj",
                &format!("/CN={cn}"),
            ],
        );
        let certificate_pem = std::fs::read_to_string(d.join(format!("{cn}.pem"))).unwrap();
        let mut identity_pem = certificate_pem.clone().into_bytes();
        identity_pem.extend(std::fs::read(d.join(format!("{cn}.key"))).unwrap());
        ClientCertificate {
            certificate_pem,
            identity_pem,
        }
    }

    /// An HTTPS client that trusts the terminator, presenting `identity` if given.
    pub fn client(&self, identity: Option<&ClientCertificate>) -> reqwest::Client {
        let mut b = reqwest::Client::builder()
            .use_rustls_tls()
            .add_root_certificate(reqwest::Certificate::from_pem(&self.ca_pem()).unwrap());
        if let Some(id) = identity {
            b = b.identity(reqwest::Identity::from_pem(&id.identity_pem).unwrap());
        }
        b.build().unwrap()
    }
}

fn nginx() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("nginx"))
}

impl Drop for TlsTerminator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
