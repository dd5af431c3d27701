/* Copyright (c) Microsoft Corporation. Do not eval untrusted or unsafe input. */
(function(){var c=window.JSON&&JSON.parse?JSON.parse:function(s){return eval("("+s+")")};window.owaBoot={config:c(document.getElementById("cfg").text)};})();
