#Requires -Version 7.2
<#
.SYNOPSIS
    Long-lived Teams PowerShell worker of the Shared Calling bot: JSON lines in, JSON lines out.

.DESCRIPTION
    Connects app-only with a certificate (settings from environment variables, never from a
    request), then reads one request per line on stdin:
        {"id": "...", "cmdlet": "Get-CsOnlineUser", "parameters": {"Identity": "..."}}
    and answers one line per request on stdout:
        {"id": "...", "ok": true, "result": [...]}
        {"id": "...", "ok": false, "error": {"type": "...", "message": "...", "category": "..."}}
    Only the cmdlets and parameters of $AllowList run. Every value is checked and converted on
    its own and passed by splatting, so a request is always data and never script text.

    Environment:
        SC_TEAMS_APP_ID, SC_TEAMS_TENANT_ID          app registration and tenant (required)
        SC_TEAMS_CERTIFICATE_PATH                    .pfx/.p12 or PEM (certificate + key), or
        SC_TEAMS_CERTIFICATE_THUMBPRINT              a certificate in the user's store
        SC_TEAMS_CERTIFICATE_PASSWORD                password of a .pfx (optional)
        SC_TEAMS_MODULE_VERSION                      exact MicrosoftTeams version to load (optional)
#>
[CmdletBinding()]
param()

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
# Anything but our own JSON lines on stdout would corrupt the protocol: silence the host streams.
$ProgressPreference = 'SilentlyContinue'
$WarningPreference = 'SilentlyContinue'
$InformationPreference = 'SilentlyContinue'
$VerbosePreference = 'SilentlyContinue'

$MinimumModuleVersion = [version]'5.5.0'
$PingCommand = 'ping'
$EmergencyNumberFields = @('EmergencyDialString', 'EmergencyDialMask', 'OnlinePSTNUsage')
$ListModifierOperations = @('add', 'remove')

# The same table as ALLOWED_CMDLETS in powershell_protocol.py; a test keeps the two equal.
$AllowList = @{
    'Get-CsOnlineUser'                           = @{ Identity = 'string'; AccountType = 'string'; ResultSize = 'int' }
    'Get-CsPhoneNumberAssignment'                = @{ TelephoneNumber = 'string'; AssignedPstnTargetId = 'string'; Top = 'int'; Skip = 'int' }
    'Set-CsPhoneNumberAssignment'                = @{ Identity = 'string'; EnterpriseVoiceEnabled = 'bool'; PhoneNumber = 'string'; LocationId = 'string' }
    'Grant-CsOnlineVoiceRoutingPolicy'           = @{ Identity = 'string'; Group = 'string'; PolicyName = 'nullable-string'; Rank = 'int' }
    'Grant-CsTeamsEmergencyCallRoutingPolicy'    = @{ Identity = 'string'; Group = 'string'; PolicyName = 'nullable-string'; Rank = 'int' }
    'Grant-CsTeamsSharedCallingRoutingPolicy'    = @{ Identity = 'string'; Group = 'string'; PolicyName = 'nullable-string'; Rank = 'int' }
    'Grant-CsCallingLineIdentity'                = @{ Identity = 'string'; Group = 'string'; PolicyName = 'nullable-string'; Rank = 'int' }
    'Get-CsOnlineVoiceRoutingPolicy'             = @{ Identity = 'string' }
    'New-CsOnlineVoiceRoutingPolicy'             = @{ Identity = 'string'; OnlinePstnUsages = 'string[]'; Description = 'string' }
    'Get-CsTeamsEmergencyCallRoutingPolicy'      = @{ Identity = 'string' }
    'New-CsTeamsEmergencyCallRoutingPolicy'      = @{ Identity = 'string'; EmergencyNumbers = 'emergency-numbers'; AllowEnhancedEmergencyServices = 'bool'; Description = 'string' }
    'Get-CsCallingLineIdentity'                  = @{ Identity = 'string' }
    'New-CsCallingLineIdentity'                  = @{ Identity = 'string'; CallingIDSubstitute = 'string'; ResourceAccount = 'string'; EnableUserOverride = 'bool'; CompanyName = 'string'; Description = 'string' }
    'Get-CsTeamsSharedCallingRoutingPolicy'      = @{ Identity = 'string' }
    'New-CsTeamsSharedCallingRoutingPolicy'      = @{ Identity = 'string'; ResourceAccount = 'string'; EmergencyNumbers = 'list-modifier'; Description = 'string' }
    'Set-CsTeamsSharedCallingRoutingPolicy'      = @{ Identity = 'string'; EmergencyNumbers = 'list-modifier'; Description = 'string' }
    'Get-CsGroupPolicyAssignment'                = @{ PolicyType = 'string'; GroupId = 'string' }
    'Get-CsOnlineApplicationInstanceAssociation' = @{ Identity = 'string' }
    'Get-CsAutoAttendant'                        = @{ Identity = 'string' }
    'Get-CsCallQueue'                            = @{ Identity = 'string' }
    'Get-CsOnlineLisLocation'                    = @{ LocationId = 'string' }
}

# The same table as REQUIRED_PARAMETERS in powershell_protocol.py: each must carry a value that
# is not blank (New-CsTeamsSharedCallingRoutingPolicy documents -ResourceAccount as Required; a
# new emergency call routing policy without -EmergencyNumbers takes the Global instance's).
$RequiredParameters = @{
    'New-CsTeamsSharedCallingRoutingPolicy' = @('Identity', 'ResourceAccount')
    'New-CsTeamsEmergencyCallRoutingPolicy' = @('Identity', 'EmergencyNumbers')
    'New-CsOnlineVoiceRoutingPolicy'        = @('Identity')
    'New-CsCallingLineIdentity'             = @('Identity')
    'Set-CsTeamsSharedCallingRoutingPolicy' = @('Identity')
}

# A refused request: thrown as an ArgumentException marked in its Data, reported as ProtocolError.
function New-ProtocolError([string]$Message) {
    $exception = [System.ArgumentException]::new($Message)
    $exception.Data['SharedCallingProtocolError'] = $true
    return $exception
}

function Write-Message($Message) {
    # -EnumsAsStrings: enum-typed properties (CallingIDSubstitute, ...) would otherwise be numbers.
    $line = ConvertTo-Json -InputObject $Message -Depth 6 -Compress -EnumsAsStrings
    [Console]::Out.WriteLine($line)
    [Console]::Out.Flush()
}

function Write-Failure($Id, [System.Management.Automation.ErrorRecord]$Record) {
    $exception = $Record.Exception
    $category = $Record.CategoryInfo.Category.ToString()
    if ($exception.Data.Contains('SharedCallingProtocolError')) { $category = 'ProtocolError' }
    $failure = [ordered]@{ type = $exception.GetType().FullName; message = $exception.Message; category = $category }
    Write-Message ([ordered]@{ id = $Id; ok = $false; error = $failure })
}

# Exact, case-sensitive lookup: the name returned is always the literal from this script.
function Get-AllowedName([System.Collections.IEnumerable]$Names, $Name) {
    foreach ($candidate in $Names) {
        if ($Name -is [string] -and $candidate -ceq $Name) { return $candidate }
    }
    return $null
}

function Assert-Kind([bool]$Condition, [string]$Name, [string]$Kind) {
    if (-not $Condition) { throw (New-ProtocolError "parameter $Name must be $Kind") }
}

function Test-StringList($Value) {
    if ($Value -isnot [System.Collections.IList]) { return $false }
    foreach ($item in $Value) {
        if ($item -isnot [string]) { return $false }
    }
    return $true
}

function ConvertTo-ListModifier([string]$Name, $Value) {
    Assert-Kind ($Value -is [System.Collections.IDictionary] -and $Value.Count -gt 0) $Name 'list-modifier'
    $modifier = @{}
    foreach ($key in $Value.Keys) {
        $operation = Get-AllowedName $ListModifierOperations $key
        Assert-Kind ($null -ne $operation -and (Test-StringList $Value[$key])) $Name 'list-modifier'
        $modifier[$operation] = [string[]]$Value[$key]
    }
    return $modifier
}

function New-EmergencyNumber([string]$Name, $Entry) {
    Assert-Kind ($Entry -is [System.Collections.IDictionary]) $Name 'emergency-numbers'
    $numberParameters = @{ ErrorAction = 'Stop' }
    foreach ($key in $Entry.Keys) {
        $field = Get-AllowedName $EmergencyNumberFields $key
        $value = $Entry[$key]
        Assert-Kind ($null -ne $field -and ($null -eq $value -or $value -is [string])) $Name 'emergency-numbers'
        if ($null -ne $value) { $numberParameters[$field] = $value }
    }
    Assert-Kind ($numberParameters.ContainsKey('EmergencyDialString')) $Name 'emergency-numbers'
    return New-CsTeamsEmergencyNumber @numberParameters
}

function ConvertTo-EmergencyNumbers([string]$Name, $Value) {
    # A list of entries, passed as the array itself: New-CsTeamsEmergencyCallRoutingPolicy,
    # examples 1 and 2, "@{add=...}" appends to the Global instance's numbers, the list overrides.
    Assert-Kind ($Value -is [System.Collections.IList]) $Name 'emergency-numbers'
    $numbers = [System.Collections.Generic.List[object]]::new()
    foreach ($entry in $Value) { $numbers.Add((New-EmergencyNumber $Name $entry)) }
    return , $numbers.ToArray()
}

function ConvertTo-ParameterValue([string]$Name, [string]$Kind, $Value) {
    switch -CaseSensitive ($Kind) {
        'string' { Assert-Kind ($Value -is [string]) $Name $Kind; return $Value }
        'nullable-string' { Assert-Kind ($null -eq $Value -or $Value -is [string]) $Name $Kind; return $Value }
        'bool' { Assert-Kind ($Value -is [bool]) $Name $Kind; return $Value }
        'switch' { Assert-Kind ($Value -is [bool]) $Name $Kind; return [switch]$Value }
        'int' { Assert-Kind ($Value -is [int] -or $Value -is [long]) $Name $Kind; return [int]$Value }
        'string[]' { Assert-Kind (Test-StringList $Value) $Name $Kind; return , [string[]]$Value }
        'list-modifier' { return ConvertTo-ListModifier $Name $Value }
        'emergency-numbers' { return , (ConvertTo-EmergencyNumbers $Name $Value) }
    }
    throw (New-ProtocolError "parameter $Name has an unknown kind")
}

function ConvertTo-Splat([string]$Cmdlet, $Parameters) {
    # Module cmdlets do not see this script's $ErrorActionPreference, so ask each call to stop.
    $splat = @{ ErrorAction = 'Stop' }
    if ($null -eq $Parameters) { $Parameters = @{} }
    if ($Parameters -isnot [System.Collections.IDictionary]) {
        throw (New-ProtocolError 'parameters must be a JSON object')
    }
    $allowed = $AllowList[$Cmdlet]
    foreach ($key in $Parameters.Keys) {
        $name = Get-AllowedName $allowed.Keys $key
        if ($null -eq $name) { throw (New-ProtocolError "a parameter is not allowed for $Cmdlet") }
        $splat[$name] = ConvertTo-ParameterValue $name $allowed[$name] $Parameters[$key]
    }
    Assert-Required $Cmdlet $splat
    return $splat
}

function Assert-Required([string]$Cmdlet, [System.Collections.IDictionary]$Splat) {
    if (-not $RequiredParameters.ContainsKey($Cmdlet)) { return }
    foreach ($name in $RequiredParameters[$Cmdlet]) {
        $value = $Splat[$name]
        $blank = ($null -eq $value) -or ($value -is [string] -and [string]::IsNullOrWhiteSpace($value)) -or
            ($value -is [System.Collections.ICollection] -and $value.Count -eq 0)
        if ($blank) { throw (New-ProtocolError "$Cmdlet needs a value for -$name") }
    }
}

function Invoke-Request([System.Collections.IDictionary]$Request) {
    $cmdlet = Get-AllowedName $AllowList.Keys $Request['cmdlet']
    if ($null -eq $cmdlet) { throw (New-ProtocolError 'the cmdlet is not allowed') }
    $splat = ConvertTo-Splat $cmdlet $Request['parameters']
    # $cmdlet is a literal of $AllowList; & with a splatted hashtable binds every value as data.
    $output = & $cmdlet @splat
    return , @($output)
}

function Get-Health {
    return [ordered]@{ pong = $true; moduleVersion = $script:ModuleVersion.ToString(); pid = $PID }
}

function Get-RequiredSetting([string]$Name) {
    $value = [Environment]::GetEnvironmentVariable($Name)
    if ([string]::IsNullOrWhiteSpace($value)) { throw "Environment variable $Name is required." }
    return $value
}

function Import-TeamsModule {
    $pinned = [Environment]::GetEnvironmentVariable('SC_TEAMS_MODULE_VERSION')
    if ([string]::IsNullOrWhiteSpace($pinned)) {
        Import-Module -Name MicrosoftTeams -MinimumVersion $MinimumModuleVersion -ErrorAction Stop
    } else {
        Import-Module -Name MicrosoftTeams -RequiredVersion $pinned -ErrorAction Stop
    }
    $version = (Get-Module -Name MicrosoftTeams).Version
    if ($version -lt $MinimumModuleVersion) {
        throw "MicrosoftTeams $version is older than $MinimumModuleVersion."
    }
    return $version
}

function Read-SigningCertificate([string]$Path) {
    $password = [Environment]::GetEnvironmentVariable('SC_TEAMS_CERTIFICATE_PASSWORD')
    # The password is only needed once; keep it out of the environment of anything we start.
    [Environment]::SetEnvironmentVariable('SC_TEAMS_CERTIFICATE_PASSWORD', $null)
    if ($Path -match '\.(pfx|p12)$') {
        return [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($Path, $password)
    }
    return [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPemFile($Path)
}

function Connect-Tenant {
    $connect = @{
        ApplicationId = Get-RequiredSetting 'SC_TEAMS_APP_ID'
        TenantId      = Get-RequiredSetting 'SC_TEAMS_TENANT_ID'
        ErrorAction   = 'Stop'
    }
    $certificatePath = [Environment]::GetEnvironmentVariable('SC_TEAMS_CERTIFICATE_PATH')
    if ([string]::IsNullOrWhiteSpace($certificatePath)) {
        $connect['CertificateThumbprint'] = Get-RequiredSetting 'SC_TEAMS_CERTIFICATE_THUMBPRINT'
    } else {
        $connect['Certificate'] = Read-SigningCertificate $certificatePath
    }
    $null = Connect-MicrosoftTeams @connect
}

function Invoke-Line([string]$Line) {
    $id = $null
    try {
        $request = ConvertFrom-Json -InputObject $Line -AsHashtable
        if ($request -isnot [System.Collections.IDictionary]) {
            throw (New-ProtocolError 'a request must be a JSON object')
        }
        $id = $request['id']
        if ($id -isnot [string]) { throw (New-ProtocolError 'a request needs a string id') }
        if ($request['cmdlet'] -ceq $PingCommand) {
            Write-Message ([ordered]@{ id = $id; ok = $true; result = (Get-Health) })
            return
        }
        $result = Invoke-Request $request
        Write-Message ([ordered]@{ id = $id; ok = $true; result = $result })
    } catch {
        Write-Failure $id $_
    }
}

$utf8 = [System.Text.UTF8Encoding]::new($false)
[Console]::InputEncoding = $utf8
[Console]::OutputEncoding = $utf8

try {
    $script:ModuleVersion = Import-TeamsModule
    Connect-Tenant
} catch {
    $failure = [ordered]@{ type = $_.Exception.GetType().FullName; message = $_.Exception.Message; category = $_.CategoryInfo.Category.ToString() }
    Write-Message ([ordered]@{ ready = $false; error = $failure })
    exit 1
}
Write-Message ([ordered]@{ ready = $true; moduleVersion = $script:ModuleVersion.ToString(); pid = $PID })

while ($true) {
    $line = [Console]::In.ReadLine()
    if ($null -eq $line) { break }
    if (-not [string]::IsNullOrWhiteSpace($line)) { Invoke-Line $line }
}
