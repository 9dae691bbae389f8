import { describe, expect, test } from 'vitest';
import { isTemplate, renderTemplate } from './template.js';

const ROWS = [{ Name: 'front', Labels: { tier: 'web' }, Count: 2 }, { Name: 'back', Labels: {}, Count: 0 }];

describe('renderTemplate', () => {
  test('fields, nested fields, json of a field or the row, literal text with \\t and \\n; one line per row', () => {
    expect(renderTemplate('{{.Name}}\\t{{ .Count }}', ROWS)).toBe('front\t2\nback\t0\n');
    expect(renderTemplate('{{.Labels.tier}}', ROWS.slice(0, 1))).toBe('web\n');
    expect(renderTemplate('{{json .Labels}}', ROWS)).toBe('{"tier":"web"}\n{}\n');
    expect(renderTemplate('{{json .}}', ROWS.slice(1))).toBe('{"Name":"back","Labels":{},"Count":0}\n');
    expect(renderTemplate('name={{.Name}}\\n', ROWS.slice(0, 1))).toBe('name=front\n\n');
    expect(renderTemplate('{{.Labels}}', ROWS.slice(1))).toBe('{}\n');
    expect(renderTemplate('{{.Name}}', [])).toBe('');
  });

  test('anything but fields and json is refused, naming the action', () => {
    expect(() => renderTemplate('{{range .}}{{end}}', ROWS)).toThrow('unsupported template action {{range .}}');
    expect(() => renderTemplate('{{upper .Name}}', ROWS)).toThrow('unsupported template action {{upper .Name}}');
    expect(() => renderTemplate('{{.Name}} {{', ROWS)).toThrow('unbalanced braces');
    expect(() => renderTemplate('table {{.Name}}', ROWS)).toThrow('--format "table TEMPLATE" is not supported');
    expect(() => renderTemplate('{{.Nope}}', ROWS)).toThrow("template: can't evaluate field Nope");
    expect(() => renderTemplate('{{.Labels.missing}}', ROWS)).toThrow("can't evaluate field Labels.missing");
  });

  test('isTemplate tells a template from a format name', () => {
    expect([isTemplate('json'), isTemplate('table'), isTemplate('{{.Name}}')]).toEqual([false, false, true]);
  });
});
