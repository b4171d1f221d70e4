# Warnings on everywhere; errors when INVENTORY_WERROR is set (CI sets it).
function(inventory_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
  if(INVENTORY_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
