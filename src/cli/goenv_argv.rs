//! goenv's argument forms that clap cannot express, turned into gv's before parsing, and
//! goenv's commands that have no sense in gv, answered with what to use instead. See
//! README's "Coming from goenv".

use std::ffi::OsString;

use super::UsageError;

/// The arguments gv parses for `argv` (its own name first), given the environment
/// variable `lookup`:
/// - `gv init -` and `gv init - SHELL` are goenv's `eval "$(goenv init -)"`: the `-` goes;
/// - a bare `gv` with `GOENV_AUTO_INSTALL=1` is `gv install` with the flags in
///   `GOENV_AUTO_INSTALL_FLAGS`, as a bare `goenv` is. The flags are split at blanks and
///   parsed as arguments, never given to a shell.
pub fn rewrite(
    mut argv: Vec<OsString>,
    lookup: &dyn Fn(&str) -> Option<OsString>,
) -> Vec<OsString> {
    if argv.len() == 1 && lookup(gv_core::vars::GOENV_AUTO_INSTALL).is_some_and(|v| v == "1") {
        argv.push("install".into());
        if let Some(flags) = lookup(gv_core::vars::GOENV_AUTO_INSTALL_FLAGS) {
            let flags = flags.to_string_lossy().into_owned();
            argv.extend(flags.split_whitespace().map(OsString::from));
        }
        return argv;
    }
    if argv.get(1).is_some_and(|a| a == "init") && argv.get(2).is_some_and(|a| a == "-") {
        argv.remove(2);
    }
    argv
}

/// goenv's commands with no gv counterpart of the same shape, and what to use instead.
const NO_SENSE: &[(&str, &str, &str)] = &[
    (
        "hooks",
        "gv has no plugin hooks",
        "a project's settings go in gv.toml (`gv trust` reviews them); `gv exec COMMAND` runs anything with the environment a shim gives",
    ),
    (
        "version-file-read",
        "gv has no `version-file-read`",
        "`gv current --json` shows the version a directory's files ask for and which file says so",
    ),
    (
        "version-file-write",
        "gv has no `version-file-write`",
        "`gv local VERSION` writes ./.go-version, `gv global VERSION` the global default",
    ),
    (
        "sh-shell",
        "`sh-shell` is goenv's shell function's helper",
        "`gv shell VERSION` (after `eval \"$(gv init bash)\"`)",
    ),
    (
        "sh-rehash",
        "`sh-rehash` is goenv's shell function's helper",
        "`gv rehash`; gv's shims never need it after `gv install`",
    ),
    (
        "plugins",
        "gv has no plugins",
        "everything goenv's go-build plugin did is `gv install`; see README, \"Coming from goenv\"",
    ),
];

/// A usage error for a goenv command name gv answers differently, if `name` is one.
pub fn no_sense(name: &str) -> Option<UsageError> {
    NO_SENSE
        .iter()
        .find(|(goenv, ..)| *goenv == name)
        .map(|(_, message, hint)| UsageError::hinted(*message, *hint))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str], env: &[(&str, &str)]) -> Vec<String> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = move |name: &str| {
            env.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| OsString::from(v))
        };
        rewrite(words.iter().map(OsString::from).collect(), &lookup)
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn goenvs_forms_become_gvs() {
        assert_eq!(args(&["gv", "init", "-"], &[]), ["gv", "init"]);
        assert_eq!(
            args(&["gv", "init", "-", "zsh"], &[]),
            ["gv", "init", "zsh"]
        );
        assert_eq!(args(&["gv", "init", "bash"], &[]), ["gv", "init", "bash"]);
        assert_eq!(args(&["gv", "local", "-"], &[]), ["gv", "local", "-"]);
        assert_eq!(args(&["gv"], &[]), ["gv"]);
        let auto = [
            ("GOENV_AUTO_INSTALL", "1"),
            ("GOENV_AUTO_INSTALL_FLAGS", " -s  --quiet $(rm -rf ~) "),
        ];
        assert_eq!(
            args(&["gv"], &auto),
            ["gv", "install", "-s", "--quiet", "$(rm", "-rf", "~)"],
            "split at blanks, never run by a shell"
        );
        assert_eq!(args(&["gv", "list"], &auto), ["gv", "list"]);
        assert_eq!(args(&["gv"], &[("GOENV_AUTO_INSTALL", "0")]), ["gv"]);
    }

    #[test]
    fn goenv_names_without_sense_say_what_to_use() {
        for (name, ..) in NO_SENSE {
            let err = no_sense(name).unwrap();
            assert!(err.hint.unwrap().contains("gv "), "{name}");
        }
        assert!(no_sense("list").is_none());
    }
}
