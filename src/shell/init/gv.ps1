# gv shell integration for PowerShell: add to $PROFILE
#   Invoke-Expression (& gv init powershell | Out-String)
# Safe to source twice; switches when the prompt finds a new location.
$global:__GvExe = @@GV@@
$global:__GvHook = @@HOOK@@
# This shell's stamp: each hook run dates it, and a prompt compares watched files with it.
$global:__GvStamp = Join-Path @@STAMPS@@ $PID
$global:__GvWatch = @()
$global:__GvWatchAbsent = @()
$__gvShims = @@SHIMS@@
$__gvSep = [IO.Path]::PathSeparator
# The GOBIN shared by every Go version (tools from `go install`), then the shims first
# of all (moved there when they were further down): every go and gofmt, typed or run by
# a script or an editor task, is a shim that picks its own directory's version.
$__gvGobin = @@GOBIN@@
if ($__gvGobin -and -not (($env:PATH -split $__gvSep) -contains $__gvGobin)) {
    $env:PATH = $__gvGobin + $__gvSep + $env:PATH
}
$__gvParts = @($env:PATH -split $__gvSep)
if ($__gvParts[0] -ne $__gvShims) {
    $env:PATH = (@($__gvShims) + @($__gvParts | Where-Object { $_ -ne $__gvShims })) -join $__gvSep
}

# Undo what the last hook applied. A variable is put back only while it still holds
# gv's value: a change made by hand since then wins.
function global:__gv_restore {
    foreach ($v in (("$env:__GV_VARS" -split ' ') | Where-Object { $_ })) {
        $cur = [Environment]::GetEnvironmentVariable($v)
        $new = [Environment]::GetEnvironmentVariable("__GV_N_$v")
        if ($null -ne $cur -and $cur -ceq $new) {
            [Environment]::SetEnvironmentVariable($v, [Environment]::GetEnvironmentVariable("__GV_O_$v"))
        }
        [Environment]::SetEnvironmentVariable("__GV_N_$v", $null)
        [Environment]::SetEnvironmentVariable("__GV_O_$v", $null)
    }
    $env:__GV_VARS = $null
    if ($env:__GV_PATH) {
        $sep = [IO.Path]::PathSeparator
        $parts = [Collections.Generic.List[string]]($env:PATH -split $sep)
        [void]$parts.Remove($env:__GV_PATH)
        $env:PATH = $parts -join $sep
        $env:__GV_PATH = $null
    }
}

# Called by `gv hook-env` output: set NAME=VALUE, remembering the user's value.
function global:__gv_set([string]$name, [string]$value) {
    $old = [Environment]::GetEnvironmentVariable($name)
    if ($null -ne $old) { [Environment]::SetEnvironmentVariable("__GV_O_$name", $old) }
    [Environment]::SetEnvironmentVariable("__GV_N_$name", $value)
    [Environment]::SetEnvironmentVariable($name, $value)
    $env:__GV_VARS = "$env:__GV_VARS $name"
}

# Called by `gv hook-env` output: the files that decided (re-run once one is newer than
# the stamp, or gone) and the files that would take over (re-run once one appears).
function global:__gv_watch {
    $global:__GvWatch = @($args)
}

function global:__gv_watch_absent {
    $global:__GvWatchAbsent = @($args)
}

# Restore, then apply the environment of the current location: exactly one gv process.
function global:__gv_hook {
    __gv_restore
    $global:__GvWatch = @()
    $global:__GvWatchAbsent = @()
    $env:__GV_STAMP = $global:__GvStamp
    try {
        $code = (& $global:__GvHook hook-env --shell powershell) -join "`n"
    } finally {
        $env:__GV_STAMP = $null
    }
    if ($code) { Invoke-Expression $code }
    $global:__GvPwd = $PWD.ProviderPath
}

# Was a watched file edited, removed or created since the last hook run? A missing stamp
# reads as year 1601, so every file then looks newer.
function global:__gv_stale {
    $stamp = [IO.File]::GetLastWriteTimeUtc($global:__GvStamp)
    foreach ($f in $global:__GvWatch) {
        if (-not (Test-Path -LiteralPath $f)) { return $true }
        if ((Get-Item -LiteralPath $f -Force).LastWriteTimeUtc -gt $stamp) { return $true }
    }
    foreach ($f in $global:__GvWatchAbsent) {
        if (Test-Path -LiteralPath $f) { return $true }
    }
    return $false
}

function global:gv {
    $status = 0
    if ($args.Count -gt 1 -and $args[0] -eq 'shell') {
        $rest = $args[1..($args.Count - 1)]
        $code = (& $global:__GvExe shell --shell powershell @rest) -join "`n"
        if ($LASTEXITCODE -ne 0) { return }
        Invoke-Expression $code
        __gv_hook
        return
    }
    & $global:__GvExe @args
    $status = $LASTEXITCODE
    if ($args.Count -gt 0 -and @('local', 'global', 'install', 'uninstall', 'prune', 'import', 'trust', 'untrust') -contains $args[0]) {
        __gv_hook
    }
    $global:LASTEXITCODE = $status
}

# The prompt hook: when neither the location nor a watched file changed, a string
# comparison and a few file tests, no process.
if (-not (Test-Path variable:global:__GvOrigPrompt)) {
    $global:__GvOrigPrompt = $function:prompt
    function global:prompt {
        $status = $global:LASTEXITCODE
        if ($PWD.ProviderPath -ne $global:__GvPwd -or (__gv_stale)) { __gv_hook }
        $global:LASTEXITCODE = $status
        & $global:__GvOrigPrompt
    }
}
