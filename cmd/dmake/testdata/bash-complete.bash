# bash bash-complete.bash SCRIPT DIR LINE: loads the completion SCRIPT,
# completes LINE (the cursor at its end) in DIR as bash's programmable
# completion would call it, and prints the completions, one a line, sorted.
source "$1" || exit 2
cd "$2" || exit 2
COMP_LINE=$3
COMP_POINT=${#3}
read -ra COMP_WORDS <<<"$3"
COMP_CWORD=${#COMP_WORDS[@]}
[[ $3 == *' ' ]] || COMP_CWORD=$((COMP_CWORD - 1))
_dmake dmake
printf '%s\n' "${COMPREPLY[@]}" | sort -u | sed '/^$/d'
