function powercat
{
  param([alias("Client")][string]$c="")
}
