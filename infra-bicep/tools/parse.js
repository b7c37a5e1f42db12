#!/usr/bin/env node
// Checks every .bicep file under infra-bicep/ (or the files and folders given as arguments) without the
// Bicep compiler, which cannot be installed on our build machines. It parses each file with the
// tree-sitter-bicep grammar and reports, as "path:line:column: message":
//
//   - syntax errors (ERROR and MISSING nodes);
//   - a module whose file does not exist, a module parameter the module does not declare, a required
//     module parameter (no default, not nullable) that is not passed, and a module output that the
//     module does not declare;
//   - a loadJsonContent/loadTextContent/loadYamlContent/loadFileAsBase64 file that does not exist;
//   - a name used but declared nowhere in the file (param, var, resource, module, func, type, import,
//     loop or lambda variable), and a name declared twice;
//   - a duplicate key in an object literal.
//
// It is no substitute for `az bicep build` (no types, no resource schemas), but it catches the mistakes
// that hand-written Bicep most often has. Exit code 0: all good; 1: problems (listed); 2: the checker
// itself is broken (the grammar did not load or does not flag a known-bad snippet).
//
// Known grammar quirk (tree-sitter-bicep 1.1.0): a string literal that starts with "//" is read as a
// comment, e.g. '//' or '//x'. Write such strings differently (e.g. split on '://').

'use strict';

const fs = require('fs');
const path = require('path');

let Parser;
let Bicep;
try {
  Parser = require('tree-sitter');
  Bicep = require('tree-sitter-bicep');
} catch (err) {
  console.error(`cannot load tree-sitter / tree-sitter-bicep (run: npm ci --prefix ${path.relative(process.cwd(), __dirname) || '.'}): ${err.message}`);
  process.exit(2);
}

const parser = new Parser();
parser.setLanguage(Bicep);

const LOAD_FUNCTIONS = new Set(['loadJsonContent', 'loadTextContent', 'loadYamlContent', 'loadFileAsBase64']);
const BUILTIN_NAMESPACES = new Set(['az', 'sys']);

function parse(text) {
  // The node binding reads the input in chunks; give it one buffer large enough for the whole file.
  return parser.parse(text, null, { bufferSize: Math.max(32 * 1024, text.length * 4 + 1) });
}

function selfTest() {
  const bad = parse("param broken string =\nvar x = {\n");
  const good = parse("param ok string = 'a'\nvar x = { a: ok }\n");
  if (!bad.rootNode.hasError || good.rootNode.hasError) {
    console.error('self-test failed: the tree-sitter-bicep grammar does not tell a broken snippet from a valid one');
    process.exit(2);
  }
}

function listBicepFiles(target, out) {
  const stat = fs.statSync(target);
  if (stat.isFile()) {
    if (target.endsWith('.bicep')) {
      out.push(target);
    }
    return out;
  }
  for (const entry of fs.readdirSync(target, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) {
      continue;
    }
    listBicepFiles(path.join(target, entry.name), out);
  }
  return out;
}

function fieldName(node) {
  const parent = node.parent;
  if (!parent) {
    return null;
  }
  for (let i = 0; i < parent.childCount; i++) {
    if (parent.child(i).id === node.id) {
      return parent.fieldNameForChild(i);
    }
  }
  return null;
}

function walk(node, visit) {
  visit(node);
  for (const child of node.children) {
    walk(child, visit);
  }
}

function firstNamed(node, type) {
  return node.namedChildren.find((c) => c.type === type) || null;
}

// The value of a plain string literal (no interpolation), else null.
function stringValue(node) {
  if (!node || node.type !== 'string') {
    return null;
  }
  if (node.namedChildren.some((c) => c.type !== 'string_content' && c.type !== 'escape_sequence')) {
    return null;
  }
  return node.namedChildren.map((c) => c.text).join('');
}

// The object body of a resource/module declaration (plain, conditional or loop).
function declarationBody(decl) {
  for (const child of decl.namedChildren) {
    if (child.type === 'object') {
      return child;
    }
    if (child.type === 'if_statement') {
      return firstNamed(child, 'object');
    }
    if (child.type === 'for_statement') {
      const body = child.childForFieldName('body') || child.namedChildren[child.namedChildren.length - 1];
      if (body && body.type === 'object') {
        return body;
      }
      if (body && body.type === 'if_statement') {
        return firstNamed(body, 'object');
      }
    }
  }
  return null;
}

function objectProperties(obj) {
  const result = new Map();
  if (!obj) {
    return result;
  }
  for (const prop of obj.namedChildren.filter((c) => c.type === 'object_property')) {
    const key = prop.namedChildren[0];
    const name = key.type === 'identifier' ? key.text : stringValue(key);
    if (name !== null) {
      result.set(name, prop.namedChildren[1] || null);
    }
  }
  return result;
}

// Declarations at the top of one file: params (with required-ness), outputs, and every declared name.
function summarize(tree) {
  const params = new Map();
  const outputs = new Set();
  const modules = new Map();
  for (const decl of tree.rootNode.namedChildren) {
    const name = firstNamed(decl, 'identifier');
    if (decl.type === 'parameter_declaration' && name) {
      const hasDefault = decl.children.some((c) => c.type === '=');
      let nullable = false;
      walk(decl, (n) => {
        if (n.type === 'nullable_type') {
          nullable = true;
        }
      });
      params.set(name.text, { required: !hasDefault && !nullable });
    } else if (decl.type === 'output_declaration' && name) {
      outputs.add(name.text);
    } else if (decl.type === 'module_declaration' && name) {
      modules.set(name.text, decl);
    }
  }
  return { params, outputs, modules };
}

const summaries = new Map();

function summaryOf(file) {
  if (!summaries.has(file)) {
    const tree = parse(fs.readFileSync(file, 'utf8'));
    summaries.set(file, tree.rootNode.hasError ? null : summarize(tree));
  }
  return summaries.get(file);
}

function checkFile(file, report) {
  const text = fs.readFileSync(file, 'utf8');
  const tree = parse(text);
  const at = (node, message) => report(`${file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}: ${message}`);

  // 1. Syntax.
  let syntaxErrors = 0;
  walk(tree.rootNode, (node) => {
    if (node.isMissing) {
      at(node, `syntax error: missing ${node.type}`);
      syntaxErrors++;
    } else if (node.type === 'ERROR') {
      const snippet = node.text.split('\n')[0].slice(0, 60);
      at(node, `syntax error near: ${snippet}`);
      syntaxErrors++;
    }
  });
  if (syntaxErrors > 0) {
    return; // The rest would only add noise.
  }

  const dir = path.dirname(file);
  const declared = new Map();
  const declare = (node) => {
    const list = declared.get(node.text) || [];
    list.push(node);
    declared.set(node.text, list);
  };
  const localNames = new Set(); // loop and lambda variables, function parameters (scoped, may repeat)
  const declaringIds = new Set();

  for (const decl of tree.rootNode.namedChildren) {
    if (['parameter_declaration', 'variable_declaration', 'resource_declaration', 'module_declaration', 'type_declaration', 'output_declaration'].includes(decl.type)) {
      const name = firstNamed(decl, 'identifier');
      if (name) {
        declaringIds.add(name.id);
        if (decl.type !== 'output_declaration') {
          declare(name);
        }
      }
    } else if (decl.type === 'user_defined_function') {
      const name = decl.childForFieldName('name');
      if (name) {
        declaringIds.add(name.id);
        declare(name);
      }
    } else if (decl.type === 'import_functionality') {
      for (const id of decl.namedChildren.filter((c) => c.type === 'identifier')) {
        declaringIds.add(id.id);
        declare(id);
      }
    }
  }

  walk(tree.rootNode, (node) => {
    if (node.type === 'loop_variable' || node.type === 'loop_enumerator') {
      localNames.add(node.text);
    } else if (node.type === 'identifier' && node.parent && node.parent.type === 'for_statement' && fieldName(node) === 'initializer') {
      localNames.add(node.text); // for x in ...
      declaringIds.add(node.id);
    } else if (node.type === 'lambda_expression') {
      const head = node.namedChildren[0];
      if (head && head.type === 'identifier') {
        localNames.add(head.text);
        declaringIds.add(head.id);
      } else if (head) {
        walk(head, (n) => {
          if (n.type === 'identifier') {
            localNames.add(n.text);
            declaringIds.add(n.id);
          }
        });
      }
    } else if (node.type === 'parameter' && node.parent && node.parent.type === 'parameters') {
      const id = firstNamed(node, 'identifier');
      if (id) {
        localNames.add(id.text);
        declaringIds.add(id.id);
      }
    }
  });

  // 2. Names declared twice.
  for (const [name, nodes] of declared) {
    if (nodes.length > 1) {
      at(nodes[1], `'${name}' is declared more than once`);
    }
  }

  // 3. Names used but never declared; duplicate object keys; load*() files.
  walk(tree.rootNode, (node) => {
    if (node.type === 'object') {
      const seen = new Set();
      for (const prop of node.namedChildren.filter((c) => c.type === 'object_property')) {
        const key = prop.namedChildren[0];
        const name = key.type === 'identifier' ? key.text : stringValue(key);
        if (name === null) {
          continue;
        }
        const folded = name.toLowerCase();
        if (seen.has(folded)) {
          at(key, `duplicate key '${name}' in an object`);
        }
        seen.add(folded);
      }
    }

    if (node.type === 'call_expression') {
      const fn = node.childForFieldName('function');
      if (fn && LOAD_FUNCTIONS.has(fn.text)) {
        const args = node.childForFieldName('arguments');
        const target = stringValue(args && args.namedChildren[0]);
        if (target !== null && !fs.existsSync(path.resolve(dir, target))) {
          at(node, `${fn.text}: file not found: ${target}`);
        }
      }
    }

    if (node.type !== 'identifier' || declaringIds.has(node.id)) {
      return;
    }
    const parent = node.parent;
    if (!parent) {
      return;
    }
    if (parent.type === 'object_property' && parent.namedChildren[0].id === node.id) {
      return; // an object key
    }
    if (parent.type === 'call_expression' && fieldName(node) === 'function') {
      return; // a function name
    }
    let inType = false;
    for (let p = parent; p; p = p.parent) {
      if (p.type === 'type' || p.type === 'type_declaration') {
        inType = true;
        break;
      }
    }
    if (inType) {
      return;
    }
    if (parent.type === 'member_expression' && fieldName(node) === 'object' && BUILTIN_NAMESPACES.has(node.text)) {
      return;
    }
    if (!declared.has(node.text) && !localNames.has(node.text)) {
      at(node, `'${node.text}' is not declared in this file`);
    }
  });

  // 4. Modules: file, parameters, outputs.
  const own = summarize(tree);
  for (const [symbol, decl] of own.modules) {
    const source = stringValue(firstNamed(decl, 'string'));
    if (source === null || /^(br|ts)[:/]/.test(source)) {
      continue; // registry modules cannot be checked here
    }
    const target = path.resolve(dir, source);
    if (!fs.existsSync(target)) {
      at(decl, `module '${symbol}': file not found: ${source}`);
      continue;
    }
    const summary = summaryOf(target);
    if (summary === null) {
      continue; // its own syntax errors are reported when that file is checked
    }
    const body = declarationBody(decl);
    const paramsNode = objectProperties(body).get('params');
    const passed = objectProperties(paramsNode && paramsNode.type === 'object' ? paramsNode : null);
    for (const name of passed.keys()) {
      if (!summary.params.has(name)) {
        at(paramsNode, `module '${symbol}' (${source}) has no parameter '${name}'`);
      }
    }
    for (const [name, info] of summary.params) {
      if (info.required && !passed.has(name)) {
        at(decl, `module '${symbol}' (${source}) needs parameter '${name}'`);
      }
    }
    walk(tree.rootNode, (node) => {
      if (node.type !== 'member_expression') {
        return;
      }
      const object = node.childForFieldName('object');
      const property = node.childForFieldName('property');
      if (!object || !property || object.type !== 'member_expression') {
        return;
      }
      const inner = object.childForFieldName('object');
      const innerProperty = object.childForFieldName('property');
      if (!innerProperty || innerProperty.text !== 'outputs' || !inner) {
        return;
      }
      const owner = inner.type === 'subscript_expression' ? inner.childForFieldName('object') : inner;
      if (owner && owner.type === 'identifier' && owner.text === symbol && !summary.outputs.has(property.text)) {
        at(property, `module '${symbol}' (${source}) has no output '${property.text}'`);
      }
    });
  }
}

function main() {
  selfTest();
  const root = path.resolve(__dirname, '..');
  const targets = process.argv.length > 2 ? process.argv.slice(2).map((t) => path.resolve(t)) : [root];
  const files = [];
  for (const target of targets) {
    if (!fs.existsSync(target)) {
      console.error(`not found: ${target}`);
      process.exit(1);
    }
    listBicepFiles(target, files);
  }
  if (files.length === 0) {
    console.error(`no .bicep files under ${targets.join(', ')}`);
    process.exit(1);
  }

  const problems = [];
  for (const file of files) {
    checkFile(path.relative(process.cwd(), file) || file, (message) => problems.push(message));
  }

  if (problems.length > 0) {
    console.error(problems.join('\n'));
    console.error(`${problems.length} problem(s) in ${files.length} .bicep file(s)`);
    process.exit(1);
  }
  console.log(`OK: ${files.length} .bicep file(s) parsed, modules and names resolved`);
}

main();
