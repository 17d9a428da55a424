// Credential dumping: tools and command lines that read Windows password hashes and logon
// secrets (Mimikatz, memory dumps of lsass.exe). On a school network one dumped teacher or
// admin password opens every PC in the lab.
//
// Distinctive literals carry one \x escape so that this file does not match its own rules.

rule HackTool_Mimikatz_PE : hacktool credential mimikatz
{
    meta:
        author = "xiaoan"
        description = "Mimikatz (or a build of its code, or a program that drives it) as a Windows program or DLL: its module names and author strings, or several of its credential commands"
        severity = "high"
        category = "credential-theft"

    strings:
        $s1 = "sekurls\x61" ascii wide
        $s2 = "lsadum\x70" ascii wide
        $s3 = "mimikat\x7a" ascii wide nocase
        $s4 = "gentilkiw\x69" ascii wide
        $s5 = "Benjamin DELP\x59" ascii wide
        $s6 = "mimili\x62" ascii wide nocase
        $s7 = "mimidr\x76" ascii wide nocase
        $s8 = "kerberos::\x70" ascii wide
        // Module::command strings: a program that drives Mimikatz, or one built from its code.
        $c1 = "sekurlsa::logonpassword\x73" ascii wide nocase
        $c2 = "sekurlsa::wdiges\x74" ascii wide nocase
        $c3 = "lsadump::sa\x6d" ascii wide nocase
        $c4 = "lsadump::secret\x73" ascii wide nocase
        $c5 = "lsadump::dcsyn\x63" ascii wide nocase

    condition:
        uint16(0) == 0x5A4D and filesize < 16MB and (3 of ($s*) or 2 of ($c*))
}

rule HackTool_Mimikatz_Commands : hacktool credential mimikatz
{
    meta:
        author = "xiaoan"
        description = "Script or command file that runs Mimikatz credential modules (logon passwords, SAM, LSA secrets, DCSync) after taking debug privilege or elevating a token, or through Invoke-Mimikatz"
        severity = "high"
        category = "credential-theft"

    strings:
        $dump1 = "sekurlsa::logonpassword\x73" ascii wide nocase
        $dump2 = "sekurlsa::wdiges\x74" ascii wide nocase
        $dump3 = "sekurlsa::msv\x20" ascii wide nocase
        $dump4 = "lsadump::sa\x6d" ascii wide nocase
        $dump5 = "lsadump::secret\x73" ascii wide nocase
        $dump6 = "lsadump::dcsyn\x63" ascii wide nocase
        $dump7 = "lsadump::ls\x61" ascii wide nocase
        $dump8 = "-DumpCred\x73" ascii wide nocase
        $prep1 = "privilege::debu\x67" ascii wide nocase
        $prep2 = "token::elevat\x65" ascii wide nocase
        $prep3 = "Invoke-Mimikat\x7a" ascii wide nocase

    condition:
        filesize < 2MB and any of ($dump*) and any of ($prep*)
}

rule HackTool_Lsass_Memory_Dump : hacktool credential
{
    meta:
        author = "xiaoan"
        description = "Command line that dumps the memory of lsass.exe to read credentials offline: ProcDump full dump (-ma) of the lsass process, or the MiniDump export (ordinal 24) of comsvcs.dll through rundll32"
        severity = "high"
        category = "credential-theft"

    strings:
        $procdump = /procdump(64)?(\.exe)?[^\r\n]{0,80}[ \t][-\/]ma[ \t]+(\S+[ \t]+)?lsas\x73/ nocase ascii wide
        $comsvcs = /comsvcs(\.dll)?["' \t]*,[ \t]*(#\+?0*24|minidum\x70)\b/ nocase ascii wide

    condition:
        filesize < 2MB and any of them
}
