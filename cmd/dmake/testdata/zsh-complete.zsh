# zsh -f zsh-complete.zsh SCRIPT DIR LINE [DIR LINE]...: loads the
# completion SCRIPT in one interactive zsh (on a pty, zsh/zpty) and, for
# each DIR and LINE, changes to DIR, presses TAB after LINE and prints
# "-- N" (N counts from 1) and the completions offered, one a line, sorted.
# The completion system's own calls to compadd are recorded, so what is
# printed is what zsh would list, after matching against LINE's last word.
zmodload zsh/zpty || exit 2
script=$1
shift
tmp=$(mktemp -d) || exit 2
zpty z zsh -f -i
zpty -w z "PS1= PROMPT= RPROMPT=; autoload -Uz compinit && compinit -u -D; source ${(q)script}"
zpty -w z "bindkey '^I' complete-word; bindkey '^U' kill-whole-line; zstyle ':completion:*' insert-tab false"
zpty -w z "compadd() { if [[ \${(j: :)@} != *' -'[OAD]' '* ]]; then local -a __m; builtin compadd -O __m \"\$@\"; print -rl -- \$__m >>\$__out; fi; builtin compadd \"\$@\"; }"
zpty -w z "__done() { print -n '__DO''NE__' }"
n=0
while (($# >= 2)); do
	((n++))
	: >$tmp/$n
	# comppostfuncs is emptied after each completion: set again each time.
	zpty -w z "cd ${(q)1} && __out=${(q)tmp}/$n && comppostfuncs=(__done)"
	zpty -w -n z "$2"$'\t'
	zpty -r z reply '*__DONE__*' || { echo "case $n: no completion ran" >&2; exit 2; }
	zpty -w -n z $'\C-u'
	print -r -- "-- $n"
	sort -u $tmp/$n
	shift 2
done
zpty -d z
rm -rf $tmp
