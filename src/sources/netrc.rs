//! `.netrc` credentials, read the way the go command reads them (`$NETRC`, else
//! `~/.netrc`): `machine HOST login USER password PASS` entries, whose credentials go
//! with every request to exactly that host name, as HTTP basic auth. This is how a
//! company's GOPROXY usually asks for a login; gv uses the same file so one set-up serves
//! both. `macdef` bodies are skipped, and parsing stops at `default`, like Go.

use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub login: String,
    pub password: String,
}

#[derive(Debug, Clone, Default)]
pub struct Netrc {
    entries: Vec<(String, Credentials)>,
}

impl Netrc {
    /// The user's file (`$NETRC`, else `~/.netrc`); empty when there is none. An
    /// unreadable file is treated as absent: it can only cost a 401 that names the host.
    pub fn load() -> Netrc {
        path()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .map(|text| Netrc::parse(&text))
            .unwrap_or_default()
    }

    pub fn parse(text: &str) -> Netrc {
        let mut entries = Vec::new();
        let (mut machine, mut login, mut password) = (None::<String>, None, None);
        let mut in_macro = false;
        'lines: for line in text.split('\n') {
            if in_macro {
                in_macro = !line.is_empty();
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            let mut i = 0;
            while i + 1 < words.len() {
                match words[i] {
                    "machine" => {
                        machine = Some(words[i + 1].to_string());
                        login = None;
                        password = None;
                    }
                    "login" => login = Some(words[i + 1].to_string()),
                    "password" => password = Some(words[i + 1].to_string()),
                    "macdef" => in_macro = true,
                    "default" => break 'lines,
                    _ => {}
                }
                if let (Some(m), Some(l), Some(p)) = (&machine, &login, &password) {
                    entries.push((
                        m.clone(),
                        Credentials {
                            login: l.clone(),
                            password: p.clone(),
                        },
                    ));
                    (machine, login, password) = (None, None, None);
                }
                i += 2;
            }
            if words.get(i) == Some(&"default") {
                break;
            }
        }
        Netrc { entries }
    }

    /// The credentials for `host` (a host name, without a port), if any.
    pub fn for_host(&self, host: &str) -> Option<&Credentials> {
        self.entries
            .iter()
            .find(|(machine, _)| machine == host)
            .map(|(_, c)| c)
    }
}

fn path() -> Option<PathBuf> {
    match gv_core::process::var_os("NETRC") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => gv_core::platform::home_dir().map(|h| h.join(".netrc")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_macros_and_default() {
        let n = Netrc::parse(
            "machine proxy.corp login alice password s3cret\n\
             macdef init\nmachine evil login x password y\n\n\
             machine other\n  login bob\n  password pw\n\
             default login anon password anon\n\
             machine after login z password z\n",
        );
        assert_eq!(
            n.for_host("proxy.corp"),
            Some(&Credentials {
                login: "alice".into(),
                password: "s3cret".into()
            })
        );
        assert_eq!(n.for_host("other").map(|c| c.login.as_str()), Some("bob"));
        assert!(n.for_host("evil").is_none(), "inside a macro");
        assert!(n.for_host("after").is_none(), "after default");
        assert!(n.for_host("proxy.corp:443").is_none());
    }
}
