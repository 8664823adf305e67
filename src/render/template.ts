/**
 * The step-1 upload templates: one XLSX workbook with a sheet per table, and a CSV file per table,
 * each with the header row and the guide's example rows. Built from the same column definitions
 * the importer checks, so an untouched template imports cleanly.
 */
import ExcelJS from 'exceljs';
import { TABLES, TABLE_COLUMNS, type TableName } from '../domain/dataset.js';
import { columnDocs, exampleRows } from '../domain/datasetGuide.js';

const TEXT_KINDS = new Set(['text', 'month', 'resourceKind']);

function sheet(wb: ExcelJS.Workbook, table: TableName): void {
  const ws = wb.addWorksheet(table);
  const [header, ...rows] = exampleRows(table);
  const numeric = TABLE_COLUMNS[table].map((c) => !TEXT_KINDS.has(c.kind));
  ws.addRow(header);
  for (const r of rows) ws.addRow(r.map((v, i) => (numeric[i] && v !== '' ? Number(v) : v)));
  const docs = columnDocs(table);
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  docs.forEach((d, i) => {
    const column = ws.getColumn(i + 1);
    column.width = Math.max(12, d.name.length + 2);
    // Text cells stay text (a month typed as 2026-11 is not turned into a date).
    if (!numeric[i]) column.numFmt = '@';
    ws.getCell(1, i + 1).note =
      `${d.about}. ${d.type}${d.unit ? ` (${d.unit})` : ''}: ${d.allowed}; ${d.required ? 'required' : 'optional'}.`;
  });
}

/** One sheet per table, in the importer's order; no other sheet (the importer would refuse it). */
export async function datasetWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Accord';
  for (const table of TABLES) sheet(wb, table);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** One table's template as CSV (comma-separated, quoted where needed, UTF-8). */
export async function tableCsv(table: TableName): Promise<string> {
  const wb = new ExcelJS.Workbook();
  sheet(wb, table);
  return `${Buffer.from(await wb.csv.writeBuffer({ sheetName: table })).toString('utf8')}\n`;
}
