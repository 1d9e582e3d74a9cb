//! The short names `gv tools install` accepts, and how an argument becomes a target.
//! The table is deliberately small: the tools every Go developer installs, whose package
//! paths are long and easy to get wrong. README.md ("Tools") lists the same rows.

use super::install::{Target, TargetError};

/// `(short name, package path)`, sorted by name.
pub const SHORT_NAMES: &[(&str, &str)] = &[
    ("dlv", "github.com/go-delve/delve/cmd/dlv"),
    ("goimports", "golang.org/x/tools/cmd/goimports"),
    ("gopls", "golang.org/x/tools/gopls"),
    ("govulncheck", "golang.org/x/vuln/cmd/govulncheck"),
    ("staticcheck", "honnef.co/go/tools/cmd/staticcheck"),
];

/// The module delve's `dlv` is built from (its build info's `mod` line).
pub const DELVE_MODULE: &str = "github.com/go-delve/delve";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NameError {
    #[error("`{0}` is not a short name gv knows")]
    Unknown(String),
    #[error("`{0}` has no version")]
    NoVersion(String),
    #[error("{0}")]
    Target(#[from] TargetError),
}

impl gv_core::error::Hint for NameError {
    fn hint(&self) -> Option<String> {
        match self {
            NameError::Unknown(_) => Some(format!(
                "use one of {}, or a full PACKAGE@VERSION (e.g. golang.org/x/tools/cmd/stringer@latest)",
                known()
            )),
            NameError::NoVersion(v0) => Some(format!(
                "write {v0}@latest (or @v1.2.3): without a version go would build it inside the current module"
            )),
            NameError::Target(_) => None,
        }
    }
}

fn known() -> String {
    SHORT_NAMES
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The package a short name stands for.
pub fn package_of(name: &str) -> Option<&'static str> {
    SHORT_NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, p)| *p)
}

/// `dlv`, `dlv@v1.23.0`, `dlv@1.23.0` or `PACKAGE@VERSION` as a target. A short name
/// without a version means `@latest`; a bare `1.2.3` gets the `v` modules need.
pub fn parse(arg: &str) -> Result<Target, NameError> {
    let (name, version) = match arg.split_once('@') {
        Some((name, version)) => (name, Some(version)),
        None => (arg, None),
    };
    let version = version.map(|v| {
        if v.starts_with(|c: char| c.is_ascii_digit()) {
            format!("v{v}")
        } else {
            v.to_string()
        }
    });
    if let Some(package) = package_of(name) {
        return Ok(Target::new(
            package,
            version.as_deref().unwrap_or("latest"),
        )?);
    }
    if !name.contains('/') {
        // Refuse `-x` here too, with the clearer message.
        Target::new(name, "latest")?;
        return Err(NameError::Unknown(name.to_string()));
    }
    match version {
        Some(version) => Ok(Target::new(name, &version)?),
        None => {
            Target::new(name, "latest")?;
            Err(NameError::NoVersion(name.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_expand() {
        assert_eq!(
            parse("dlv").unwrap().to_string(),
            "github.com/go-delve/delve/cmd/dlv@latest"
        );
        assert_eq!(
            parse("gopls@v0.16.2").unwrap().to_string(),
            "golang.org/x/tools/gopls@v0.16.2"
        );
        assert_eq!(
            parse("staticcheck@2024.1.1").unwrap().to_string(),
            "honnef.co/go/tools/cmd/staticcheck@v2024.1.1"
        );
        assert_eq!(parse("dlv@master").unwrap().version(), "master");
    }

    #[test]
    fn full_paths_need_a_version() {
        assert_eq!(
            parse("example.com/x/cmd/y@v1.0.0").unwrap().to_string(),
            "example.com/x/cmd/y@v1.0.0"
        );
        assert!(matches!(
            parse("example.com/x"),
            Err(NameError::NoVersion(_))
        ));
        assert!(matches!(parse("nope"), Err(NameError::Unknown(_))));
        assert!(matches!(
            parse("-toolexec=x"),
            Err(NameError::Target(TargetError::Dash(_)))
        ));
        assert!(parse("dlv@-x").is_err());
    }

    #[test]
    fn the_table_is_sorted_and_unique() {
        let names: Vec<&str> = SHORT_NAMES.iter().map(|(n, _)| *n).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted);
        assert!(package_of("dlv").unwrap().starts_with(DELVE_MODULE));
    }
}
