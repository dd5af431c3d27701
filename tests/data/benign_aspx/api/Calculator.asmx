<%@ WebService Language="VB" Class="Calculator" %>
Imports System.Web.Services

<WebService(Namespace:="http://intranet.contoso.local/calc")> _
Public Class Calculator
    Inherits WebService

    <WebMethod()> _
    Public Function WorkingDays(ByVal fromDate As Date, ByVal toDate As Date) As Integer
        Dim n As Integer = 0
        Dim d As Date = fromDate
        While d <= toDate
            If d.DayOfWeek <> DayOfWeek.Saturday AndAlso d.DayOfWeek <> DayOfWeek.Sunday Then n += 1
            d = d.AddDays(1)
        End While
        Return n
    End Function
End Class
