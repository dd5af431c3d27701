function setCookieStatus(){var e=document.getElementById("cookieMsg");if(navigator.cookieEnabled){e&&(e.style.display="none")}else{e&&(e.style.display="block")}}
function clkLgn(){var u=document.getElementById("username"),p=document.getElementById("password");if(!u.value||!p.value){return false}document.logonForm.submit()}
function gbid(s){return document.getElementById(s)}var g_fFcs=1;
window.onload=function(){try{gbid("username").focus()}catch(e){}};
