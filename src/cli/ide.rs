use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use gv_core::select::{Origin, Resolved, Selection};

use super::{Session, origin_json};
use crate::current_link;
use crate::error::Hinted;
use crate::ide::{goland, launch, vscode};
use crate::ui;

/// Editor settings that follow the Go version pinned here
///
/// VS Code goes through gv's `go` shim (`go.alternateTools.go`), which picks the version
/// per workspace folder, so it follows .go-version with no shell involved; no GOROOT is
/// set. GoLand needs a real GOROOT directory: `gv ide goland` gives it a link gv keeps
/// pointing at the project's version.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv ide                      the version here, its GOROOT, and what each editor needs
  gv ide vscode --write       merge gv's settings into .vscode/settings.json (comments kept)
  gv ide vscode               print the settings instead
  gv ide goland               the GOROOT path to give GoLand, and why that one
  gv ide --json               the same, for scripts")]
pub struct Args {
    #[command(subcommand)]
    editor: Option<Editor>,
    /// Print a JSON object instead of text
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, clap::Subcommand)]
enum Editor {
    /// VS Code: point go.alternateTools.go at gv's go shim and drop go.goroot; with
    /// --launch, debug configurations for gv's builds and core dumps
    #[command(after_help = "Examples:
  gv ide vscode             print the settings (nothing is written)
  gv ide vscode --write     merge them into ./.vscode/settings.json, keeping comments
  gv ide vscode --launch    merge debug configurations into ./.vscode/launch.json (and the
                            task that builds them into tasks.json), keeping comments
  gv ide vscode --launch ./cmd/app    the same for another main package
  gv ide vscode --json      the settings as JSON

--launch writes two configurations: \"gv: debug build\" (exec mode: a task runs
gv build --debug, verified, then delve debugs the result with the selected GOROOT) and
\"gv: core dump\" (core mode: asks for the binary and the core; delve finds a stripped
binary's debug information in the symbol store).")]
    Vscode {
        /// Merge into ./.vscode/settings.json (created if needed), keeping every other
        /// setting and comment
        #[arg(long)]
        write: bool,
        /// Merge debug configurations for PACKAGE (default .) into ./.vscode/launch.json
        /// and its build task into tasks.json
        #[arg(long, value_name = "PACKAGE", num_args = 0..=1, default_missing_value = ".")]
        launch: Option<String>,
    },
    /// GoLand: a GOROOT path that follows this project's pin
    #[command(after_help = "Examples:
  gv ide goland             the GOROOT to give GoLand, a link that follows .go-version
  gv ide goland --json      the same, for scripts")]
    Goland,
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    match args.editor {
        None => summary(session, args.json),
        Some(Editor::Vscode {
            launch: Some(package),
            write,
        }) => {
            if write {
                let code = vscode(session, true, args.json)?;
                if code != ExitCode::SUCCESS {
                    return Ok(code);
                }
            }
            launch(session, &package, args.json)
        }
        Some(Editor::Vscode {
            write,
            launch: None,
        }) => vscode(session, write, args.json),
        Some(Editor::Goland) => goland(session, args.json),
    }
}

fn go_shim(session: &Session) -> PathBuf {
    let shim = session
        .store()
        .shims_dir()
        .join(gv_core::platform::exe_name("go"));
    if !shim.is_file() {
        ui::warn(format!(
            "{} does not exist yet: run `gv rehash` (gv install does it too)",
            shim.display()
        ));
    }
    shim
}

fn goroot_of(selection: &Selection) -> anyhow::Result<PathBuf> {
    match selection.resolved.goroot() {
        Some(goroot) => Ok(goroot),
        None => bail!(Hinted::new(
            format!(
                "cannot tell the GOROOT of the system go at {}",
                selection.resolved.binary("go").display()
            ),
            "pin a managed version with `gv local 1.22`"
        )),
    }
}

fn vscode_settings(shim: &std::path::Path) -> serde_json::Value {
    serde_json::json!({ vscode::ALTERNATE_TOOLS: { "go": shim } })
}

fn summary(session: &Session, json: bool) -> anyhow::Result<ExitCode> {
    let selection = session.selection()?;
    let goroot = goroot_of(selection)?;
    let shim = session
        .store()
        .shims_dir()
        .join(gv_core::platform::exe_name("go"));
    let global_link = session.store().current_link();
    let global_link = global_link.exists().then_some(global_link);
    let project_link = goland::project_of(selection)
        .map(|p| goland::link_path(session.store(), &p))
        .filter(|l| l.exists());
    if json {
        let report = serde_json::json!({
            "version": selection.resolved.name(),
            "origin": origin_json(&selection.request.origin),
            "goroot": goroot,
            "go": goroot.join("bin").join(gv_core::platform::exe_name("go")),
            "vscode": vscode_settings(&shim),
            "goland": { "goroot": project_link.as_ref().or(global_link.as_ref()).unwrap_or(&goroot) },
            "global_goroot_link": global_link,
        });
        crate::outln!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!(
        "Go {} ({})\nGOROOT: {}\n",
        selection.resolved.name(),
        selection.request.origin,
        goroot.display()
    );
    crate::outln!(
        "VS Code (.vscode/settings.json; `gv ide vscode --write` merges it for you):\n{}\nNo go.goroot: the shim picks the version per folder, so VS Code follows .go-version.\n",
        serde_json::to_string_pretty(&vscode_settings(&shim))?
    );
    crate::outln!(
        "GoLand: `gv ide goland` prints a GOROOT path that follows this project's pin{}.",
        match &project_link {
            Some(link) => format!(" (this project's: {})", link.display()),
            None => String::new(),
        }
    );
    Ok(ExitCode::SUCCESS)
}

fn vscode(session: &Session, write: bool, json: bool) -> anyhow::Result<ExitCode> {
    let shim = go_shim(session);
    if !write {
        let settings = vscode_settings(&shim);
        if json {
            crate::outln!("{}", serde_json::to_string_pretty(&settings)?);
        } else {
            crate::outln!(
                "Add to {} (or run `gv ide vscode --write`), and remove any \"go.goroot\":\n{}",
                vscode::settings_path(session.cwd()).display(),
                serde_json::to_string_pretty(&settings)?
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (path, merged) = vscode::write(session.cwd(), &shim)?;
    if json {
        let report = serde_json::json!({
            "path": path,
            "changed": merged.changed(),
            "changes": merged.changes,
        });
        crate::outln!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    if merged.changed() {
        crate::outln!("updated {}:", path.display());
        for change in &merged.changes {
            crate::outln!("  {change}");
        }
        crate::outln!(
            "VS Code now runs go through gv's shim: it follows .go-version (reload the window once)."
        );
    } else {
        crate::outln!(
            "{} already follows the pin (nothing to change)",
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn launch(session: &Session, package: &str, json: bool) -> anyhow::Result<ExitCode> {
    let selection = session.selection()?;
    let goroot = goroot_of(selection)?;
    let cache = gv_core::store::Cache::from_env()?;
    let dir = crate::debug::build_dir(&cache, session.cwd())?;
    // The binary's name: the package directory's, as `go build` names a main package.
    let package_dir = session.cwd().join(package);
    let name = std::fs::canonicalize(&package_dir)
        .unwrap_or(package_dir)
        .file_name()
        .map_or_else(
            || "program".to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
    let name = gv_core::platform::exe_name(&name);
    // delve's config for the core configuration: the user's, plus the symbol store.
    let store = crate::symbols::SymbolStore::from_env()?;
    let dlv_home = store.root().join(".gv");
    let aids = crate::debug::Aids {
        debug_dir: Some(store.root().to_path_buf()),
        ..crate::debug::Aids::default()
    };
    if let Some(config) =
        crate::debug::dlv_config(&aids, crate::debug::user_dlv_config().as_deref())
    {
        let file = dlv_home.join("dlv").join("config.yml");
        crate::fsutil::write_atomic(&file, config.as_bytes())
            .with_context(|| format!("cannot write {}", file.display()))?;
    }
    let gv = std::env::current_exe().context("cannot tell where gv is")?;
    let spec = launch::Launch {
        gv,
        package: package.to_string(),
        program: dir.join(&name),
        goroot,
        dlv_config_home: dlv_home,
        default_binary: format!("${{workspaceFolder}}/{name}"),
    };
    let written = launch::write(session.cwd(), &spec)?;
    if json {
        let files: Vec<serde_json::Value> = written
            .iter()
            .map(|(path, merged)| {
                serde_json::json!({ "path": path, "changed": merged.changed(), "changes": merged.changes })
            })
            .collect();
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "files": files }))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    for (path, merged) in &written {
        if merged.changed() {
            crate::outln!("updated {}:", path.display());
            for change in &merged.changes {
                crate::outln!("  {change}");
            }
        } else {
            crate::outln!(
                "{} already has gv's entries (nothing to change)",
                path.display()
            );
        }
    }
    crate::outln!(
        "Run and Debug: \"{}\" builds {} with gv build --debug (verified) and debugs it; \"{}\" opens a core dump, with the symbol store ({}) for stripped binaries.",
        launch::EXEC_NAME,
        spec.program.display(),
        launch::CORE_NAME,
        store.root().display()
    );
    Ok(ExitCode::SUCCESS)
}

fn goland(session: &Session, json: bool) -> anyhow::Result<ExitCode> {
    let selection = session.selection()?;
    let goroot = goroot_of(selection)?;
    let (path, why) = match (&selection.resolved, goland::project_of(selection)) {
        (Resolved::Managed { version, .. }, Some(project)) => {
            let link = goland::refresh(session.store(), &project, version)?;
            let why = format!(
                "a link gv keeps pointing at the version {} selects: `gv local` re-points it when it changes the pin, and so does this command (run it again after editing {} by hand; `gv doctor` says when the link is behind). GV_ROOT/current would follow the global default, which this project overrides.",
                project.display(),
                selection
                    .request
                    .origin
                    .path()
                    .map_or_else(String::new, |p| p.display().to_string())
            );
            (link, why)
        }
        (Resolved::Managed { .. }, None)
            if matches!(selection.request.origin, Origin::Global { .. }) =>
        {
            let link = session.store().current_link();
            current_link::refresh(session.store())?;
            (
                link,
                "GV_ROOT/current, the global default's GOROOT: `gv global` re-points it, and no project file pins a version here.".to_string(),
            )
        }
        (Resolved::Managed { .. }, None) => {
            ui::warn(format!(
                "the version here comes from {}, which GoLand does not see; this is the GOROOT of that version only",
                selection.request.origin
            ));
            (
                goroot.clone(),
                "the selected version's own directory: nothing pins it in a file GoLand's project shares, so there is no link to keep current.".to_string(),
            )
        }
        (Resolved::System { .. }, _) => (
            goroot.clone(),
            "the system go's GOROOT: gv does not manage it.".to_string(),
        ),
    };
    if json {
        let report = serde_json::json!({
            "version": selection.resolved.name(),
            "origin": origin_json(&selection.request.origin),
            "goroot": path,
            "resolves_to": goroot,
            "why": why,
        });
        crate::outln!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!(
        "GoLand GOROOT for Go {} ({}):\n  {}\n",
        selection.resolved.name(),
        selection.request.origin,
        path.display()
    );
    crate::outln!("Settings | Go | GOROOT | Add SDK | Local… and choose that path.");
    crate::outln!(
        "Why this path: GoLand reads an SDK directory and runs its bin/go itself (it never runs gv's shims). It is {why}"
    );
    Ok(ExitCode::SUCCESS)
}
