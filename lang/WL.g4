// WL.g4: the ANTLR4 grammar of the .wl language (see lang/README.md and
// /work/shared/design/LANGUAGE.md). The C++ parser is generated at build time;
// lang/lib/ASTBuilder.cpp turns the parse tree into the AST of wl/Lang/AST.h.
// Semantics (names, widths, argument kinds) are checked in Sema.cpp, not here.
grammar WL;

// ---------------------------------------------------------------- structure
program      : sep* (model sep*)* EOF ;
sep          : NL | ';' ;

model        : 'model' ident '{' sep* (decl (sep+ decl)*)? sep* '}' ;

decl         : inputDecl | labelDecl | targetDecl | linearDecl
             | embeddingDecl | forwardDecl | lossDecl | optimizeDecl ;

// `with norm_bound(c, norm = row)` declares the input domain (sequences).
inputDecl    : 'input' ident ':' tensorType (NL* 'with' NL* callOrIdent)? ;
labelDecl    : 'label' ident ':' tensorType ;
targetDecl   : 'target' ident ':' tensorType ;
tensorType   : ident ('[' NL* constExpr (',' NL* constExpr)* NL* ']')? ;

linearDecl   : 'linear' ident ':' constExpr '->' constExpr
               ('{' sep* (linearItem (sep+ linearItem)*)? sep* '}')? ;
linearItem   : weightItem | biasItem ;
// `embedding E: V -> d { weight = ... }`: a token table [V, d] (sema rejects
// a bias).
embeddingDecl: 'embedding' ident ':' constExpr '->' constExpr
               ('{' sep* (linearItem (sep+ linearItem)*)? sep* '}')? ;
weightItem   : 'weight' '=' NL* term (NL* '+' NL* term)* ;
term         : callOrIdent (NL* 'with' NL* callOrIdent)* ;
biasItem     : 'bias' '=' NL* callOrIdent ;

forwardDecl  : 'forward' '{' sep* (stmt (sep+ stmt)*)? sep* '}' ;
stmt         : ident '=' NL* expr      # assignStmt
             | 'return' NL* expr       # returnStmt
             ;
// Numbers inside an expression fold at compile time (ASTBuilder): `5/6 * h`,
// `(1/1.1289) * gelu(h)`, `h / 3`; a value may be scaled by a constant, and
// values may be added or subtracted.
expr         : mulExpr (('+' | '-') NL* mulExpr)* ;
mulExpr      : unaryExpr (('*' | '/') NL* unaryExpr)* ;
unaryExpr    : '-' unaryExpr | primary ;
primary      : ident '(' NL* (exprArg (',' NL* exprArg)* NL*)? ')'  # callExpr
             | ident                                                # varExpr
             | NUMBER                                               # numberExpr
             | ('true' | 'false')                                   # boolExpr
             | '(' NL* expr NL* ')'                                 # parenExpr
             ;
exprArg      : (ident '=' NL*)? expr ;

lossDecl     : 'loss' '=' NL* call ;

optimizeDecl : 'optimize' '{' sep* (optEntry (sep+ optEntry)*)? sep* '}' ;
optEntry     : dottedName (',' NL* dottedName)* ':' NL* callOrIdent ;
dottedName   : ident ('.' ident)* ;

// ------------------------------------------------------------------- values
callOrIdent  : call | ident ;
call         : ident '(' NL* (arg (',' NL* arg)* NL*)? ')' ;
arg          : (ident '=' NL*)? value ;
value        : constExpr                                           # numberValue
             | STRING                                              # stringValue
             | ('true' | 'false')                                  # boolValue
             | call                                                # callValue
             | ident                                               # identValue
             | '(' NL* value (',' NL* value)* NL* ')'              # tupleValue
             | '[' NL* (value (',' NL* value)* NL*)? ']'           # shapeValue
             ;
// A constant expression: numbers with + - * / and parentheses, folded at
// compile time wherever a number is written (`scale = 1/64`, `4 * 256`).
constExpr    : constTerm (('+' | '-') NL* constTerm)* ;
constTerm    : constFactor (('*' | '/') NL* constFactor)* ;
constFactor  : '-' constFactor | NUMBER | '(' NL* constExpr NL* ')' ;

// Soft keywords stay usable as names (argument keys, dotted parameter names,
// variables): only 'return', 'with', 'true' and 'false' are reserved.
ident        : ID | 'model' | 'input' | 'label' | 'target' | 'linear'
             | 'embedding' | 'weight' | 'bias' | 'forward' | 'loss'
             | 'optimize' ;

// -------------------------------------------------------------------- lexer
NUMBER        : DIGIT+ ('.' DIGIT*)? EXPONENT? | '.' DIGIT+ EXPONENT? ;
STRING        : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;
ID            : [A-Za-z_] [A-Za-z0-9_]* ;
NL            : '\r'? '\n' ;
WS            : [ \t\f]+ -> skip ;
LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
// A block comment that never closes (it cannot contain "*/"): one token, so
// the error says so instead of reading '/' and '*' as operators.
UNTERMINATED_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* EOF ;
// Anything else becomes a token so the parser reports it with a location.
ERROR_CHAR    : . ;

fragment DIGIT    : [0-9] ;
fragment EXPONENT : [eE] [+-]? DIGIT+ ;
