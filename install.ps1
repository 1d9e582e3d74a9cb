# Installs gv, the Go toolchain manager, on Windows from its signed release archives.
#
#   powershell -ExecutionPolicy ByPass -c "irm https://github.com/gv-dev/gv/releases/latest/download/install.ps1 | iex"
#
# With options, save it first:  .\install.ps1 -Version 0.2.0 [-InsecureSkipSignature]
#
# Environment:
#   GV_INSTALL_URL   where the releases are (default https://github.com/gv-dev/gv/releases);
#                    a mirror must be laid out the same way: BASE/latest/download/FILE and
#                    BASE/download/vVERSION/FILE. Plain http only for 127.0.0.1 and localhost.
#   GV_INSTALL_DIR   where gv.exe and gv-shim.exe go (default ~\.local\bin). No elevation.
#
# Checks, before anything is installed (as install.sh does):
#   1. SHA256SUMS.sig is an SSH signature (namespace gv-release) of SHA256SUMS by gv's
#      release key, written into this script below, checked with ssh-keygen (the OpenSSH
#      client of Windows 10 and 11, 8.1 or later) or, failing that, openssl (1.1.1 or later,
#      e.g. Git for Windows'). Each tool first proves it can check ed25519 on a known-good
#      sample. With neither, the installer stops, unless -InsecureSkipSignature.
#   2. The archive's SHA-256 is the one SHA256SUMS lists for it.
# Everything is downloaded into a temporary directory, removed at the end whatever
# happens; gv.exe and gv-shim.exe are renamed into place only after both checks pass.
#
# Errors are thrown, never `exit`: run through `iex`, an exit would close the window.

param(
    [string]$Version = '',
    [switch]$InsecureSkipSignature
)

# BEGIN RELEASE KEY (`cargo xtask sign` writes the signing key here; see RELEASING.md)
$ReleaseKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7XAukqV6haVb0ohOZc11RtqugvhPeD9/Qx5CSsG2mO gv-release-2026'
# END RELEASE KEY

$GvDefaultUrl = 'https://github.com/gv-dev/gv/releases'
$GvNamespace = 'gv-release'
$GvTarget = 'x86_64-pc-windows-gnu'

# Known-good samples (the same as install.sh's): a verifier must accept them before its
# verdict on the release counts.
$ProbeSshKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDpl2eX8xKha26LEbYqrE9c4+ivlrS5xyGDI+ZPs/heQ probe'
$ProbeSshSig = @'
-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgOmXZ5fzEqFrbosRtiqsT1zj6K+
WtLnHIYMj5k+z+F5AAAAAKZ3YtcmVsZWFzZQAAAAAAAAAGc2hhNTEyAAAAUwAAAAtzc2gt
ZWQyNTUxOQAAAEDk7dPnffIp8IAjHVtJdniP48FxiTGYSuxlHEH27za4NKAz8HWBOjHKz2
FqGCAzv5tpxVJcTPoRT/xICwxRdOYL
-----END SSH SIGNATURE-----
'@
$ProbePem = "-----BEGIN PUBLIC KEY-----`nMCowBQYDK2VwAyEAPUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=`n-----END PUBLIC KEY-----`n"
$ProbeSig = 'kqAJqfDUyrhyDoILX2QlQKKye1QWUD+Ps3YiI+vbadoIWsHkPhWZbkWPNhPQ8R2MOHsurrQwKu6wDSkWErsMAA=='

function Write-GvSay([string]$Message) {
    [Console]::Error.WriteLine("gv-install: $Message")
}

function Stop-Gv([string]$Message, [string]$Hint = '') {
    $text = "gv-install: error: $Message"
    if ($Hint) { $text += "`n  hint: $Hint" }
    throw $text
}

# Runs a program with stdin, stdout and stderr as files (byte for byte: PowerShell's own
# pipes re-encode text); returns its exit code.
function Invoke-GvTool([string]$Program, [string[]]$Arguments, [string]$Stdin, [string]$Log) {
    $quoted = $Arguments | ForEach-Object { '"' + $_ + '"' }
    $p = Start-Process -FilePath $Program -ArgumentList $quoted -NoNewWindow -Wait -PassThru `
        -RedirectStandardInput $Stdin -RedirectStandardOutput "$Log.out" -RedirectStandardError $Log
    return $p.ExitCode
}

function Test-GvSsh([string]$Tmp, [string]$Sig, [string]$Message, [string]$Key) {
    $allowed = Join-Path $Tmp 'allowed_signers'
    [IO.File]::WriteAllText($allowed, "signer namespaces=`"$GvNamespace`" $Key`n")
    $code = Invoke-GvTool 'ssh-keygen' @('-Y', 'verify', '-f', $allowed, '-I', 'signer', '-n', $GvNamespace, '-s', $Sig) `
        $Message (Join-Path $Tmp 'verify.log')
    return ($code -eq 0)
}

function Test-GvOpenssl([string]$Tmp, [string]$Signed, [string]$RawSig, [string]$Pem) {
    $code = Invoke-GvTool 'openssl' @('pkeyutl', '-verify', '-pubin', '-inkey', $Pem, '-rawin', '-in', $Signed, '-sigfile', $RawSig) `
        $Signed (Join-Path $Tmp 'verify.log')
    return ($code -eq 0)
}

# The bytes an SSH signature signs (OpenSSH's PROTOCOL.sshsig): the magic, the namespace,
# an empty reserved field, the hash's name and SHA-512 of the file.
function Get-GvSignedData([string]$File) {
    $sha512 = [Security.Cryptography.SHA512]::Create()
    $digest = $sha512.ComputeHash([IO.File]::ReadAllBytes($File))
    $out = New-Object System.Collections.Generic.List[byte]
    $str = {
        param([byte[]]$b)
        $len = [BitConverter]::GetBytes([uint32]$b.Length)
        [Array]::Reverse($len)
        $out.AddRange([byte[]]$len)
        $out.AddRange($b)
    }
    $out.AddRange([Text.Encoding]::ASCII.GetBytes('SSHSIG'))
    & $str ([Text.Encoding]::ASCII.GetBytes($GvNamespace))
    & $str ([byte[]]@())
    & $str ([Text.Encoding]::ASCII.GetBytes('sha512'))
    & $str $digest
    return ,$out.ToArray()
}

function Confirm-GvSignature([string]$Tmp, [string]$Sums, [string]$Sig) {
    if ($InsecureSkipSignature) {
        Write-GvSay 'warning: not checking the signature of SHA256SUMS (-InsecureSkipSignature):'
        Write-GvSay '  the archive is checked against SHA256SUMS, which is trusted only as far as HTTPS is'
        return 'nothing (-InsecureSkipSignature)'
    }
    $bad = "SHA256SUMS.sig is not a valid signature of SHA256SUMS by gv's release key: nothing was installed"
    $badHint = 'the files were changed after gv''s release was signed, or come from elsewhere; if GV_INSTALL_URL is a mirror, check it'
    if (Get-Command ssh-keygen -ErrorAction SilentlyContinue) {
        $probeMsg = Join-Path $Tmp 'probe.msg'
        $probeSig = Join-Path $Tmp 'probe.sig'
        [IO.File]::WriteAllBytes($probeMsg, [Text.Encoding]::ASCII.GetBytes("hello`n"))
        [IO.File]::WriteAllText($probeSig, ($ProbeSshSig -replace "`r", '') + "`n")
        if (Test-GvSsh $Tmp $probeSig $probeMsg $ProbeSshKey) {
            if (Test-GvSsh $Tmp $Sig $Sums $ReleaseKey) { return 'ssh-keygen' }
            Stop-Gv $bad $badHint
        }
    }
    if (Get-Command openssl -ErrorAction SilentlyContinue) {
        $probeMsg = Join-Path $Tmp 'probe.r'
        $probeRaw = Join-Path $Tmp 'probe.raw'
        $probePem = Join-Path $Tmp 'probe.pem'
        [IO.File]::WriteAllBytes($probeMsg, [Text.Encoding]::ASCII.GetBytes('r'))
        [IO.File]::WriteAllBytes($probeRaw, [Convert]::FromBase64String($ProbeSig))
        [IO.File]::WriteAllText($probePem, $ProbePem)
        if (Test-GvOpenssl $Tmp $probeMsg $probeRaw $probePem) {
            $keyB64 = ($ReleaseKey -split ' ')[1]
            $blob = [Convert]::FromBase64String($keyB64)
            $spki = [byte[]](0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00) + $blob[($blob.Length - 32)..($blob.Length - 1)]
            $pem = Join-Path $Tmp 'key.pem'
            [IO.File]::WriteAllText($pem, "-----BEGIN PUBLIC KEY-----`n" + [Convert]::ToBase64String($spki) + "`n-----END PUBLIC KEY-----`n")
            $signed = Join-Path $Tmp 'signed'
            [IO.File]::WriteAllBytes($signed, (Get-GvSignedData $Sums))
            $armored = ([IO.File]::ReadAllText($Sig) -split "`n" | Where-Object { $_ -notmatch '^-----' }) -join ''
            $sigBlob = [Convert]::FromBase64String(($armored -replace '\s', ''))
            $raw = Join-Path $Tmp 'sig.raw'
            [IO.File]::WriteAllBytes($raw, [byte[]]$sigBlob[($sigBlob.Length - 64)..($sigBlob.Length - 1)])
            if (Test-GvOpenssl $Tmp $signed $raw $pem) { return 'openssl' }
            Stop-Gv $bad $badHint
        }
    }
    Stop-Gv 'cannot check the release''s signature: neither ssh-keygen (OpenSSH 8.1 or later) nor openssl (1.1.1 or later) can verify ed25519 signatures here' `
        'add Windows'' OpenSSH client (Settings > Apps > Optional features > OpenSSH Client), or rerun with -InsecureSkipSignature to trust HTTPS and the checksums alone'
}

function Save-GvFile([string]$Url, [string]$Out) {
    try {
        Invoke-WebRequest -UseBasicParsing -Uri $Url -OutFile $Out -TimeoutSec 60
    } catch {
        Stop-Gv "cannot download $Url ($($_.Exception.Message))" 'check the network, or set GV_INSTALL_URL to a mirror of gv''s releases'
    }
}

# Puts $New at $Dest. A running gv.exe cannot be replaced, but can be renamed: the old
# file is moved aside first (gv self update deletes what is left once it has exited).
function Move-GvIntoPlace([string]$New, [string]$Dest) {
    if (Test-Path -LiteralPath $Dest) {
        $aside = Join-Path (Split-Path $Dest) (".gv-old-" + (Split-Path $Dest -Leaf) + "-$PID")
        Move-Item -LiteralPath $Dest -Destination $aside -Force
        Move-Item -LiteralPath $New -Destination $Dest
        Remove-Item -LiteralPath $aside -Force -ErrorAction SilentlyContinue
    } else {
        Move-Item -LiteralPath $New -Destination $Dest
    }
}

function Install-Gv {
    $ProgressPreference = 'SilentlyContinue'
    $ErrorActionPreference = 'Stop'
    # Windows PowerShell 5.1 may not offer TLS 1.2 by default.
    [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12

    $arch = $env:PROCESSOR_ARCHITEW6432
    if (-not $arch) { $arch = $env:PROCESSOR_ARCHITECTURE }
    # 64-bit ARM Windows runs the x86_64 build (emulated).
    if ($arch -ne 'AMD64' -and $arch -ne 'ARM64') {
        Stop-Gv "gv has no release for $arch Windows" 'build it from source: cargo install --locked gv gv-shim'
    }
    $v = $Version.TrimStart('v')
    if ($v -and $v -notmatch '^[0-9A-Za-z.-]+$') { Stop-Gv "$v is not a gv version (such as 0.2.0)" }

    $base = $env:GV_INSTALL_URL
    if (-not $base) { $base = $GvDefaultUrl }
    $base = $base.TrimEnd('/')
    if ($base -notmatch '^https://' -and $base -notmatch '^http://(127\.0\.0\.1|localhost|\[::1\])([:/]|$)') {
        Stop-Gv "GV_INSTALL_URL must be an https URL (plain http only for this machine): $base"
    }
    $dir = $env:GV_INSTALL_DIR
    if (-not $dir) { $dir = Join-Path $HOME '.local\bin' }

    $tmp = Join-Path ([IO.Path]::GetTempPath()) ('gv-install-' + [Guid]::NewGuid())
    New-Item -ItemType Directory -Path $tmp | Out-Null
    $staged = @()
    try {
        if ($v) { $where = "$base/download/v$v" } else { $where = "$base/latest/download" }
        $sums = Join-Path $tmp 'SHA256SUMS'
        $sig = Join-Path $tmp 'SHA256SUMS.sig'
        Write-GvSay "downloading $where/SHA256SUMS"
        Save-GvFile "$where/SHA256SUMS" $sums
        Save-GvFile "$where/SHA256SUMS.sig" $sig
        $verifiedBy = Confirm-GvSignature $tmp $sums $sig

        $pattern = '^([0-9a-f]{64})  (gv-([0-9A-Za-z.-]+)-' + [regex]::Escape($GvTarget) + '\.zip)$'
        $lines = @([IO.File]::ReadAllLines($sums) | Where-Object { $_ -cmatch $pattern })
        if ($lines.Count -ne 1) {
            Stop-Gv "the release at $where has no archive for $GvTarget" 'build gv from source: cargo install --locked gv gv-shim'
        }
        $null = $lines[0] -cmatch $pattern
        $expected = $Matches[1]; $archive = $Matches[2]; $found = $Matches[3]
        if ($v -and $found -ne $v) { Stop-Gv "the release at $where is gv $found, not $v" }

        $zip = Join-Path $tmp $archive
        Write-GvSay "downloading $base/download/v$found/$archive"
        Save-GvFile "$base/download/v$found/$archive" $zip
        $actual = (Get-FileHash -Algorithm SHA256 -LiteralPath $zip).Hash.ToLowerInvariant()
        if ($actual -ne $expected) {
            Stop-Gv "$archive does not match the release's SHA256SUMS (expected sha256 $expected, got $actual): the download is corrupt or was tampered with; nothing was installed" 'try again; if it happens again, report it'
        }

        $unpacked = Join-Path $tmp 'x'
        Expand-Archive -LiteralPath $zip -DestinationPath $unpacked
        $from = Join-Path $unpacked "gv-$found-$GvTarget"
        foreach ($bin in 'gv.exe', 'gv-shim.exe') {
            if (-not (Test-Path -LiteralPath (Join-Path $from $bin))) { Stop-Gv "$archive has no $bin" }
        }

        New-Item -ItemType Directory -Force -Path $dir | Out-Null
        $replacing = Test-Path -LiteralPath (Join-Path $dir 'gv.exe')
        foreach ($bin in 'gv-shim', 'gv') {
            $new = Join-Path $dir ".gv-install-$PID-$bin.exe"
            Copy-Item -LiteralPath (Join-Path $from "$bin.exe") -Destination $new
            $staged += $new
        }
        $said = & (Join-Path $dir ".gv-install-$PID-gv.exe") --version
        if ($LASTEXITCODE -ne 0 -or "$said".Trim() -ne "gv $found") {
            Stop-Gv "the downloaded gv.exe does not run here ($said)"
        }
        foreach ($bin in 'gv-shim', 'gv') {
            Move-GvIntoPlace (Join-Path $dir ".gv-install-$PID-$bin.exe") (Join-Path $dir "$bin.exe")
        }
        $staged = @()
        if ($replacing) { & (Join-Path $dir 'gv.exe') rehash 2>&1 | Out-Null }

        Write-Output "installed gv $found ($GvTarget) in $dir"
        Write-Output "  verified: SHA256SUMS signed by gv's release key (checked with $verifiedBy); $archive matches it"
        $onPath = @($env:Path -split ';' | Where-Object { $_.TrimEnd('\') -eq $dir.TrimEnd('\') }).Count -gt 0
        if (-not $onPath) {
            Write-Output ''
            Write-Output "$dir is not on PATH. Add it for your user:"
            Write-Output "  [Environment]::SetEnvironmentVariable('Path', '$dir;' + [Environment]::GetEnvironmentVariable('Path', 'User'), 'User')"
        }
        Write-Output ''
        Write-Output 'Then set gv up: one line in your PowerShell profile (notepad $PROFILE):'
        Write-Output '  Invoke-Expression (& gv init powershell | Out-String)'
        Write-Output ''
        Write-Output 'and install Go:  gv install latest'
    } finally {
        foreach ($f in $staged) { Remove-Item -LiteralPath $f -Force -ErrorAction SilentlyContinue }
        Remove-Item -LiteralPath $tmp -Recurse -Force -ErrorAction SilentlyContinue
    }
}

try {
    Install-Gv
} catch {
    [Console]::Error.WriteLine($_.Exception.Message)
    # Run as a script (not through iex), let the caller see the failure.
    if ($MyInvocation.InvocationName -ne '') { $global:LASTEXITCODE = 1 }
}
