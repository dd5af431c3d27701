var Page_ValidationVer = "125";
var Page_IsValid = true;
var Page_BlockSubmit = false;
var Page_InvalidControlToBeFocused = null;
function ValidatorUpdateDisplay(val) {
    if (typeof(val.display) == "string") {
        if (val.display == "None") { return; }
        if (val.display == "Dynamic") { val.style.display = val.isvalid ? "none" : "inline"; return; }
    }
    val.style.visibility = val.isvalid ? "hidden" : "visible";
}
