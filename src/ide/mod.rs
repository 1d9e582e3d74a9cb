//! Editors that follow the pin. VS Code reaches Go through gv's `go` shim, so it picks the
//! version per workspace folder like a shell does ([`vscode`]); GoLand needs a real GOROOT
//! directory, so it gets a link gv keeps pointing at the project's version ([`goland`]);
//! [`launch`] writes VS Code's debug configurations for gv's builds. What `gv doctor`
//! asks about both is doctor's `ide` check.

pub mod goland;
pub mod launch;
pub mod vscode;
