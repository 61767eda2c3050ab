package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Use cases are handlers over narrow interfaces (issue 26): in the use-case
// packages and the gate, no interface has more than maxMethods methods
// (its whole method set, embedded interfaces included), and no type
// carries more than maxCarried methods of its own (declared on it; what an
// embedded Common lends is counted on Common).
const (
	maxMethods = 10
	maxCarried = 25
)

// sized are the packages bound by the size rules.
var sized = []string{"internal/gate", "internal/workflow", "internal/workflow/lifecycle", "internal/workflow/machine", "internal/workflow/review"}

// wide are the types still over a limit, each a known debt of issue 26;
// one that comes within its limit must leave this list.
var wide = map[string]bool{}

func TestHandlerSizes(t *testing.T) {
	root := moduleRoot(t)
	ix := &typeIndex{root: root, fset: token.NewFileSet(), pkgs: map[string]*pkgDecls{}}
	seen := map[string]bool{}
	for _, dir := range sized {
		p := ix.pkg(t, mod+"/"+dir)
		name := path.Base(dir)
		for tname, spec := range p.types {
			key := name + "." + tname
			n, limit := p.methods[tname], maxCarried
			if it, ok := spec.Type.(*ast.InterfaceType); ok {
				n, limit = len(ix.methodSet(t, p, it)), maxMethods
			}
			if n <= limit {
				continue
			}
			seen[key] = true
			if !wide[key] {
				t.Errorf("%s has %d methods, over %d: split it by what each use case calls (issue 26)", key, n, limit)
			}
		}
	}
	for key := range wide {
		if !seen[key] {
			t.Errorf("%s is within its limits now: take it off the wide list", key)
		}
	}
}

// pkgDecls are a package's type declarations, the number of methods
// declared on each, and the imports of the file declaring each.
type pkgDecls struct {
	path    string
	types   map[string]*ast.TypeSpec
	imports map[string]map[string]string // type → import name → path
	methods map[string]int
}

// typeIndex parses packages of the module on demand (syntax only: an
// embedded interface is found by its name and its file's imports).
type typeIndex struct {
	root string
	fset *token.FileSet
	pkgs map[string]*pkgDecls
}

func (ix *typeIndex) pkg(t *testing.T, importPath string) *pkgDecls {
	t.Helper()
	if p, ok := ix.pkgs[importPath]; ok {
		return p
	}
	p := &pkgDecls{path: importPath, types: map[string]*ast.TypeSpec{}, imports: map[string]map[string]string{}, methods: map[string]int{}}
	ix.pkgs[importPath] = p
	rel, ok := strings.CutPrefix(importPath, mod+"/")
	if !ok {
		return p // outside the module (the standard library): not followed
	}
	dir := filepath.Join(ix.root, filepath.FromSlash(rel))
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(ix.fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		imports := map[string]string{}
		for _, is := range f.Imports {
			ip, _ := strconv.Unquote(is.Path.Value)
			name := path.Base(ip)
			if is.Name != nil {
				name = is.Name.Name
			}
			imports[name] = ip
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.Assign == 0 {
						p.types[ts.Name.Name], p.imports[ts.Name.Name] = ts, imports
					}
				}
			case *ast.FuncDecl:
				if d.Recv != nil && len(d.Recv.List) == 1 {
					p.methods[receiverName(d.Recv.List[0].Type)]++
				}
			}
		}
	}
	return p
}

// receiverName is T for a receiver of type T, *T or T[P].
func receiverName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// methodSet names every method of an interface declared in p, following
// embedded interfaces of the module.
func (ix *typeIndex) methodSet(t *testing.T, p *pkgDecls, it *ast.InterfaceType) map[string]bool {
	t.Helper()
	set := map[string]bool{}
	for _, f := range it.Methods.List {
		if len(f.Names) > 0 {
			for _, n := range f.Names {
				set[n.Name] = true
			}
			continue
		}
		owner, name := p, ""
		switch x := f.Type.(type) {
		case *ast.Ident:
			name = x.Name
		case *ast.SelectorExpr:
			pkgName, _ := x.X.(*ast.Ident)
			if pkgName == nil {
				continue
			}
			owner = ix.pkg(t, p.importPath(pkgName.Name))
			name = x.Sel.Name
		default:
			continue // a type union: no methods
		}
		spec, ok := owner.types[name]
		if !ok {
			continue
		}
		if emb, ok := spec.Type.(*ast.InterfaceType); ok {
			for m := range ix.methodSet(t, owner, emb) {
				set[m] = true
			}
		}
	}
	return set
}

// importPath is the import path a package name stands for in p's files.
func (p *pkgDecls) importPath(name string) string {
	for _, imports := range p.imports {
		if ip, ok := imports[name]; ok {
			return ip
		}
	}
	return name
}
