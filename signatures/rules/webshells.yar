// Web shells: server-side scripts that run what a request tells them to. School web servers
// (and the XAMPP/phpStudy installs on lab PCs) get them through weak upload forms. The rules
// look for request data flowing straight into code evaluation or command execution; ordinary
// pages read request parameters and some call eval on constants, neither is a detection.
//
// Distinctive literals carry one \x escape so that this file does not match its own rules.

rule WebShell_PHP_Eval_Request : webshell php
{
    meta:
        author = "xiaoan"
        description = "PHP that evaluates request data: eval/assert/create_function of $_POST/$_GET/$_REQUEST/$_COOKIE (possibly through decoders), or a function name taken from the request called with request data (China Chopper style one-liners)"
        severity = "critical"
        category = "webshell"

    strings:
        $eval = /\b(eval|assert)[ \t]*\([ \t]*(@[ \t]*)?(\w+[ \t]*\([ \t]*){0,4}\$_(POST|GET|REQUEST|COOKIE|SERVER)\b/ nocase
        $create = /create_functio\x6e[ \t]*\([^;]{0,120}\$_(POST|GET|REQUEST|COOKIE)\b/ nocase
        $call = /\$_(POST|GET|REQUEST|COOKIE)[ \t]*\[[^\]\r\n]{1,40}\][ \t]*\([ \t]*@?[ \t]*\$_(POST|GET|REQUEST|COOKIE)\b/ nocase

    condition:
        filesize < 2MB and any of them
}

rule WebShell_PHP_Exec_Request : webshell php
{
    meta:
        author = "xiaoan"
        description = "PHP that runs request data as an operating system command (system, passthru, shell_exec, exec, popen, proc_open or backticks on $_POST/$_GET/$_REQUEST/$_COOKIE)"
        severity = "critical"
        category = "webshell"

    strings:
        $exec = /\b(system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)[ \t]*\([ \t]*(@[ \t]*)?\$_(POST|GET|REQUEST|COOKIE)\b/ nocase
        $backtick = /`[ \t]*\$_(POST|GET|REQUEST|COOKIE)[ \t]*\[/ nocase

    condition:
        filesize < 2MB and any of them
}

rule WebShell_PHP_Obfuscated_Eval : webshell php
{
    meta:
        author = "xiaoan"
        description = "PHP that evaluates the output of two or more nested decoders (e.g. base64_decode inside gzinflate), the usual packing of web shells and injected backdoors"
        severity = "high"
        category = "webshell"

    strings:
        $chain = /\b(eval|assert)[ \t]*\([ \t]*(@[ \t]*)?(gzinflate|gzuncompress|gzdecode|str_rot13|strrev|base64_decode|convert_uudecode)[ \t]*\([ \t]*(gzinflate|gzuncompress|gzdecode|str_rot13|strrev|base64_decode|convert_uudecode)[ \t]*\(/ nocase

    condition:
        filesize < 2MB and $chain
}

rule WebShell_ASP_Eval_Request : webshell asp aspx
{
    meta:
        author = "xiaoan"
        description = "ASP/ASPX that evaluates or executes request data: the eval of Request.Item with \"unsafe\" of China Chopper, VBScript Execute of a request value, Process.Start with Request parameters"
        severity = "critical"
        category = "webshell"

    strings:
        $eval = /\b(eval|execute|executeglobal)[ \t]*\(?[ \t]*reques\x74[ \t]*(\.[ \t]*(item|form|querystring|params))?[ \t]*[\(\[]/ nocase
        $process = /Process\.Star\x74[ \t]*\([^;]{0,160}Request(\.(Item|Form|QueryString|Params))?[ \t]*[\(\[]/ nocase

    condition:
        filesize < 2MB and any of them
}

rule WebShell_JSP_Exec_Request : webshell jsp
{
    meta:
        author = "xiaoan"
        description = "JSP/Java that runs commands built from request parameters (Runtime.exec or ProcessBuilder with request.getParameter)"
        severity = "critical"
        category = "webshell"

    strings:
        $direct1 = /getRuntime\(\)[ \t]*\.[ \t]*exe\x63[ \t]*\([^;]{0,200}request\.getParameter[ \t]*\(/
        $direct2 = /new[ \t]+ProcessBuilde\x72[ \t]*\([^;]{0,200}request\.getParameter[ \t]*\(/
        $runtime = /getRuntime\(\)[ \t]*\.[ \t]*exe\x63[ \t]*\(/
        $param = "request.getParamete\x72" ascii
        $jsp = "<\x25" ascii

    condition:
        filesize < 512KB and (any of ($direct*) or ($runtime and $param and $jsp))
}
